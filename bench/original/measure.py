#!/usr/bin/env python3
"""Measure the ORIGINAL Nodepool (11.0.0, launcher only) on the local cloud.

Run with the venv that bench/original/setup.sh makes:

    .tools/original-nodepool/venv/bin/python bench/original/measure.py [--scenario a,d] [--repeat 3]

It starts its own ZooKeeper (TLS, 127.0.0.1, own data dir) and one
nodepool-launcher, plays Zuul's part through nodepool's own ZooKeeper API
(submit a NodeRequest, wait, lock the nodes, IN_USE, then USED and unlock),
prints ONE JSON object with the raw samples on stdout (progress goes to
stderr), then deletes every server the launcher made and stops both
processes, also on Ctrl-C, SIGTERM or error.
"""

import argparse
import copy
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

import openstack
import yaml
from nodepool.zk import ZooKeeperClient
from nodepool.zk import zookeeper as zkm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, ".tools", "original-nodepool")
TLS = os.path.join(TOOLS, "tls")
RUN = os.path.join(TOOLS, "run")
VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))

LABEL = "orig-pool"
# A provider name of our own: nodepool stamps it into each server's metadata
# (nodepool_provider_name), which is how the final sweep finds only our servers
# even if other tests use the same cloud project.
PROVIDER = "orig-ovh-gra1"
POLL = 0.1  # seconds between ZooKeeper reads; well below nodepool's 1 s loop
NOVA_POLL = 0.25  # Nova list is an HTTP call: poll it only when ZooKeeper says gone
# Debian's zookeeper.jar manifest lacks netty-codec/resolver (the TLS server
# needs them) and ships no slf4j binding: add them so the log says something.
ZK_CLASSPATH = ":".join(
    "/usr/share/java/" + j
    for j in ("zookeeper.jar", "netty-codec.jar", "netty-resolver.jar", "slf4j-simple.jar")
)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Timeout(Exception):
    pass


def wait_for(what, check, timeout, interval=POLL):
    """Poll check() until it returns a truthy value; return (value, time.monotonic())."""
    deadline = time.monotonic() + timeout
    while True:
        v = check()
        now = time.monotonic()
        if v:
            return v, now
        if now > deadline:
            raise Timeout(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc, name, grace=30):
    if proc is None or proc.poll() is not None:
        return
    log(f"stopping {name} (pid {proc.pid})")
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Bench:
    def __init__(self, args):
        self.args = args
        self.zk_proc = None
        self.launcher_proc = None
        self.zk_client = None
        self.zk = None
        self.conn = None
        self.zk_port = free_port()
        self.config_path = os.path.join(RUN, "nodepool.yaml")
        self.clouds_path = os.path.join(RUN, "clouds.yaml")

    # ---- setup -------------------------------------------------------------

    def write_clouds(self):
        """A copy of the one cloud entry, with its secret merged in and private: true.

        The subnets are documentation ranges, so openstacksdk finds no
        "public" interface IP and nodepool's node scan fails on an empty
        address; private: true makes it use the fixed IP.
        """
        src = os.path.join(ROOT, ".cloud")
        with open(os.path.join(src, "clouds.yaml")) as f:
            entry = copy.deepcopy(yaml.safe_load(f)["clouds"][self.args.cloud])
        secure_file = os.path.join(src, "secure.yaml")
        if os.path.exists(secure_file):
            with open(secure_file) as f:
                secret = (yaml.safe_load(f) or {}).get("clouds", {}).get(self.args.cloud, {})
            entry.setdefault("auth", {}).update(secret.get("auth", {}))
        entry["private"] = True
        fd = os.open(self.clouds_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump({"clouds": {self.args.cloud: entry}}, f)
        os.environ["OS_CLIENT_CONFIG_FILE"] = self.clouds_path
        # Make sure no secure.yaml elsewhere overrides the copy.
        os.environ["OS_CLIENT_SECURE_FILE"] = os.path.join(RUN, "no-secure.yaml")

    def write_config(self, min_ready, max_servers):
        """nodepool.yaml; the launcher rereads it each loop, so rewriting it is how a
        scenario changes min-ready / max-servers without a restart."""
        cfg = {
            "zookeeper-servers": [{"host": "127.0.0.1", "port": self.zk_port}],
            "zookeeper-tls": {
                "ca": os.path.join(TLS, "ca.pem"),
                "cert": os.path.join(TLS, "client.pem"),
                "key": os.path.join(TLS, "client.key"),
            },
            "labels": [{"name": LABEL, "min-ready": min_ready}],
            "diskimages": [],
            "providers": [
                {
                    "name": PROVIDER,
                    "driver": "openstack",
                    "cloud": self.args.cloud,
                    "cloud-images": [{"name": self.args.image}],
                    "pools": [
                        {
                            "name": "main",
                            "max-servers": max_servers,
                            # No Cinder on the local cloud: the quota lookup raises
                            # ServiceDisabledException and nodepool launches nothing.
                            "ignore-provider-quota": True,
                            # Nothing answers ssh on the fake compute's servers.
                            "host-key-checking": False,
                            "networks": [self.args.network],
                            "labels": [
                                {
                                    "name": LABEL,
                                    "cloud-image": self.args.image,
                                    "flavor-name": self.args.flavor,
                                }
                            ],
                        }
                    ],
                }
            ],
        }
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            yaml.safe_dump(cfg, f, sort_keys=False)
        os.replace(tmp, self.config_path)  # atomic: the launcher never reads half a file
        self.min_ready, self.max_servers = min_ready, max_servers
        log(f"nodepool.yaml: min-ready {min_ready}, max-servers {max_servers}")

    def start_zookeeper(self):
        data = os.path.join(RUN, "zk-data")
        shutil.rmtree(data, ignore_errors=True)  # a fresh ZooKeeper: no nodes from a past run
        os.makedirs(data)
        cfg = os.path.join(RUN, "zoo.cfg")
        with open(cfg, "w") as f:
            f.write(
                f"dataDir={data}\n"
                "tickTime=2000\n"
                "secureClientPortAddress=127.0.0.1\n"
                f"secureClientPort={self.zk_port}\n"
                # TLS needs the Netty connection factory; PEM stores avoid a Java keystore.
                "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\n"
                f"ssl.keyStore.location={TLS}/server-keystore.pem\n"
                "ssl.keyStore.type=PEM\n"
                f"ssl.trustStore.location={TLS}/ca.pem\n"
                "ssl.trustStore.type=PEM\n"
                "admin.enableServer=false\n"
            )
        logf = open(os.path.join(RUN, "zookeeper.log"), "w")
        # Own session: a Ctrl-C in the terminal must not kill it before cleanup.
        self.zk_proc = subprocess.Popen(
            ["java", "-Xmx256m", "-cp", ZK_CLASSPATH, "org.apache.zookeeper.server.ZooKeeperServerMain", cfg],
            stdout=logf,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log(f"zookeeper started (pid {self.zk_proc.pid}, TLS port {self.zk_port})")

        def listening():
            if self.zk_proc.poll() is not None:
                raise RuntimeError(f"zookeeper exited, see {RUN}/zookeeper.log")
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", self.zk_port)) == 0

        wait_for("zookeeper to listen", listening, 60, 0.25)
        self.zk_client = ZooKeeperClient(
            f"127.0.0.1:{self.zk_port}",
            tls_cert=os.path.join(TLS, "client.pem"),
            tls_key=os.path.join(TLS, "client.key"),
            tls_ca=os.path.join(TLS, "ca.pem"),
        )
        self.zk_client.connect()
        # No tree caches: we read straight from ZooKeeper, so what we see is
        # never behind what the launcher wrote.
        self.zk = zkm.ZooKeeper(self.zk_client, enable_cache=False)

    def start_launcher(self):
        logf = open(os.path.join(RUN, "launcher.log"), "w")
        self.launcher_proc = subprocess.Popen(
            [os.path.join(VENV_BIN, "nodepool-launcher"), "-d", "--no-webapp", "-c", self.config_path],
            stdout=logf,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=os.environ.copy(),
        )
        self.launcher_started = time.monotonic()
        log(f"nodepool-launcher started (pid {self.launcher_proc.pid}), log {RUN}/launcher.log")

    def our_servers(self):
        return [
            s
            for s in self.conn.compute.servers()
            if (s.metadata or {}).get("nodepool_provider_name") == PROVIDER
        ]

    def delete_servers(self, timeout=300):
        """Backstop: delete servers carrying our provider name, wait until Nova lists none."""
        servers = self.our_servers()
        for s in servers:
            log(f"deleting server {s.name} ({s.id}) directly")
            try:
                self.conn.compute.delete_server(s.id)
            except openstack.exceptions.NotFoundException:
                pass
        if servers:
            wait_for("our servers to leave Nova", lambda: not self.our_servers(), timeout, 1)
        return len(servers)

    # ---- ZooKeeper reads and Zuul's part ----------------------------------

    def nodes(self):
        out = []
        for nid in self.zk.getNodes():
            n = self.zk.getNode(nid)
            if n is not None and n.provider == PROVIDER:
                out.append(n)
        return out

    def ready_free(self, nodes=None, exclude=()):
        return [
            n
            for n in (self.nodes() if nodes is None else nodes)
            if n.state == zkm.READY and n.allocated_to is None and n.id not in exclude
        ]

    def steady(self):
        """At least min-ready unallocated READY nodes, nothing building, used or
        deleting, no request open. "At least": nodepool's min-ready can
        overshoot by one and it never deletes a surplus ready node."""
        nodes = self.nodes()
        free = self.ready_free(nodes)
        return len(free) >= self.min_ready and len(free) == len(nodes) and not self.zk.getNodeRequests()

    def wait_steady(self, timeout=900):
        t0 = time.monotonic()
        wait_for(f"{self.min_ready} ready nodes and nothing else", self.steady, timeout, 0.25)
        return time.monotonic() - t0

    def submit(self, count):
        req = zkm.NodeRequest()
        req.state = zkm.REQUESTED
        req.node_types = [LABEL] * count
        req.requestor = "bench-original"
        req.created_time = time.time()
        # Zuul's normal pipeline precedence is 200; nodepool's own min-ready requests use 900.
        self.zk.storeNodeRequest(req, priority="200")
        return req.id, time.monotonic()

    def request_state(self, rid):
        r = self.zk.getNodeRequest(rid)
        if r is not None and r.state == zkm.FAILED:
            raise RuntimeError(f"node request {rid} failed (declined by {r.declined_by})")
        return r

    def accept_and_return(self, rid):
        """What Zuul does with a fulfilled request, for a job of zero length:
        lock the nodes, IN_USE, delete the request; then USED and unlock.
        (storeNode writes; nodepool 11's updateNode only re-reads.)"""
        r = self.zk.getNodeRequest(rid)
        nodes = [self.zk.getNode(nid) for nid in r.nodes]
        for n in nodes:
            self.zk.lockNode(n, blocking=True, timeout=30)
            n.state = zkm.IN_USE
            self.zk.storeNode(n)
        self.zk.deleteNodeRequest(r)
        for n in nodes:
            n.state = zkm.USED
            self.zk.storeNode(n)
            self.zk.unlockNode(n)
        return {n.id: n.external_id for n in nodes}

    # ---- scenarios ----------------------------------------------------------

    def scenario_a(self, out):
        """min-ready 5 / max-servers 10; a 3-node request, returned at once."""
        self.set_pool(5, 10, out)
        s = out.setdefault("request_wait_s", [])
        r = out.setdefault("ready_again_s", [])
        g = out.setdefault("used_gone_s", [])
        for i in range(self.args.repeat):
            self.wait_steady()
            out.setdefault("ready_before", []).append(len(self.ready_free()))
            rid, t0 = self.submit(3)
            _, t_ful = wait_for("request fulfilled", lambda: self.fulfilled(rid), 300)
            used = self.accept_and_return(rid)
            ready_at = gone_at = None
            zk_gone = False
            deadline = time.monotonic() + 600
            while ready_at is None or gone_at is None:
                if time.monotonic() > deadline:
                    raise Timeout("timed out waiting for ready-again / used nodes gone")
                nodes = self.nodes()
                now = time.monotonic()
                if ready_at is None and len(self.ready_free(nodes, exclude=used)) >= 5:
                    ready_at = now
                if not zk_gone and not any(n.id in used for n in nodes):
                    zk_gone = True
                if zk_gone and gone_at is None:
                    # nodepool removes the ZooKeeper record after the server is
                    # gone, so Nova is only asked from here on.
                    ids = {sv.id for sv in self.conn.compute.servers()}
                    if not ids & set(used.values()):
                        gone_at = time.monotonic()
                    else:
                        time.sleep(NOVA_POLL)
                        continue
                time.sleep(POLL)
            s.append(round(t_ful - t0, 3))
            r.append(round(ready_at - t0, 3))
            g.append(round(gone_at - t0, 3))
            log(f"a#{i + 1}: fulfilled {s[-1]}s, 5 ready again {r[-1]}s, used gone {g[-1]}s")

    def scenario_d(self, out):
        """Requests meeting ready nodes: one at a time, then a burst of 24."""
        single = out.setdefault("single", {"min_ready": 5, "max_servers": 10, "fulfil_s": []})
        self.set_pool(5, 10, single)
        for i in range(self.args.repeat):
            self.wait_steady()
            single.setdefault("ready_before", []).append(len(self.ready_free()))
            rid, t0 = self.submit(1)
            _, t_ful = wait_for("request fulfilled", lambda: self.fulfilled(rid), 300)
            single["fulfil_s"].append(round(t_ful - t0, 3))
            self.accept_and_return(rid)
            log(f"d single#{i + 1}: fulfilled {single['fulfil_s'][-1]}s")

        burst = out.setdefault(
            "burst",
            {"min_ready": 24, "max_servers": 30, "requests": 24, "rounds": [], "p50_s": [], "max_s": [], "all_s": []},
        )
        self.set_pool(24, 30, burst)
        for i in range(self.args.repeat):
            self.wait_steady()
            burst.setdefault("ready_before", []).append(len(self.ready_free()))
            # Submitted back to back; each request is timed from its own submission.
            subs = [self.submit(1) for _ in range(24)]
            t_first = subs[0][1]
            done = {}
            deadline = time.monotonic() + 600
            while len(done) < len(subs):
                if time.monotonic() > deadline:
                    raise Timeout(f"burst: {len(subs) - len(done)} of 24 requests not fulfilled")
                for rid, t0 in subs:
                    if rid not in done and self.fulfilled(rid):
                        done[rid] = time.monotonic() - t0
                if len(done) < len(subs):
                    time.sleep(POLL)
            t_all = time.monotonic() - t_first
            lat = sorted(round(done[rid], 3) for rid, _ in subs)
            burst["rounds"].append({"fulfil_s": lat, "all_s": round(t_all, 3)})
            burst["p50_s"].append(round(statistics.median(lat), 3))
            burst["max_s"].append(lat[-1])
            burst["all_s"].append(round(t_all, 3))
            log(f"d burst#{i + 1}: p50 {burst['p50_s'][-1]}s, max {lat[-1]}s, all {round(t_all, 3)}s")
            for rid, _ in subs:
                self.accept_and_return(rid)

    def fulfilled(self, rid):
        r = self.request_state(rid)
        return r is not None and r.state == zkm.FULFILLED

    def set_pool(self, min_ready, max_servers, out):
        """Switch min-ready/max-servers and record how long the launcher takes to fill."""
        self.write_config(min_ready, max_servers)
        t = self.wait_steady()
        out.setdefault("fill_s", []).append(round(t, 3))
        log(f"pool steady at {min_ready} ready after {round(t, 3)}s")

    # ---- cleanup ------------------------------------------------------------

    def cleanup(self):
        """Delete every node through nodepool (as `nodepool delete` does), stop it,
        sweep Nova for anything left, stop ZooKeeper."""
        if self.zk is not None and self.launcher_proc is not None and self.launcher_proc.poll() is None:
            try:
                self.write_config(0, 0)
                for rid in self.zk.getNodeRequests():
                    r = self.zk.getNodeRequest(rid)
                    if r is not None and r.requestor == "bench-original":
                        self.zk.deleteNodeRequest(r)
                deadline = time.monotonic() + 300
                while self.nodes() and time.monotonic() < deadline:
                    for n in self.nodes():
                        if n.state in (zkm.DELETING, zkm.DELETED):
                            continue
                        try:
                            # Building nodes are locked by the launcher: skip, retry.
                            self.zk.lockNode(n, blocking=False)
                        except Exception:
                            continue
                        n.state = zkm.DELETING
                        self.zk.storeNode(n)
                        self.zk.unlockNode(n)
                    time.sleep(1)
                left = self.nodes()
                log("nodepool deleted all its nodes" if not left else f"{len(left)} nodes still in ZooKeeper")
            except Exception as e:  # still stop everything below
                log(f"cleanup through nodepool failed: {e!r}")
        stop_process(self.launcher_proc, "nodepool-launcher")
        if self.conn is not None:
            try:
                n = self.delete_servers()
                log(f"Nova: none of our servers left ({n} deleted directly)")
            except Exception as e:
                log(f"Nova sweep failed: {e!r}; look for servers named np* with metadata {PROVIDER}")
        if self.zk_client is not None:
            try:
                self.zk_client.disconnect()
            except Exception:
                pass
        stop_process(self.zk_proc, "zookeeper")
        shutil.rmtree(os.path.join(RUN, "zk-data"), ignore_errors=True)
        try:
            os.unlink(self.clouds_path)  # it holds the password
        except FileNotFoundError:
            pass


def summary(samples):
    return {"n": len(samples), "min": min(samples), "median": round(statistics.median(samples), 3), "max": max(samples)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default="a,d", help="comma-separated: a, d (default a,d)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cloud", default="ovh-gra1", help="entry of .cloud/clouds.yaml")
    p.add_argument("--flavor", default="m1.nodepool")
    p.add_argument("--image", default="ubuntu-precise")
    p.add_argument("--network", default="private")
    args = p.parse_args()
    scenarios = [s.strip() for s in args.scenario.split(",") if s.strip()]
    for s in scenarios:
        if s not in ("a", "d"):
            p.error(f"unknown scenario {s!r}")

    os.makedirs(RUN, exist_ok=True)
    import nodepool.version

    result = {
        "tool": "nodepool-launcher " + nodepool.version.version_info.version_string(),
        "cloud": args.cloud,
        "provider": PROVIDER,
        "label": LABEL,
        "flavor": args.flavor,
        "image": args.image,
        "poll_s": POLL,
        "repeat": args.repeat,
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "scenarios": {},
    }
    bench = Bench(args)

    def on_term(signum, frame):
        raise SystemExit(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    try:
        bench.write_clouds()
        bench.conn = openstack.connect(cloud=args.cloud)
        n = bench.delete_servers()  # leftovers of a run that was killed hard
        if n:
            log(f"deleted {n} servers left by an earlier run")
        bench.start_zookeeper()
        bench.write_config(0, 10)
        bench.start_launcher()
        for s in scenarios:
            out = result["scenarios"].setdefault(s, {})
            getattr(bench, "scenario_" + s)(out)
    except BaseException as e:  # KeyboardInterrupt too: report what we have
        result["error"] = f"{type(e).__name__}: {e}"
        log(f"stopped: {result['error']}")
    finally:
        # A second Ctrl-C must not leave servers behind.
        signal.signal(signal.SIGINT, lambda *a: log("cleaning up, please wait"))
        bench.cleanup()

    sc = result["scenarios"]
    summ = {}
    if sc.get("a", {}).get("request_wait_s"):
        for k in ("request_wait_s", "ready_again_s", "used_gone_s"):
            summ["a." + k] = summary(sc["a"][k])
    d = sc.get("d", {})
    if d.get("single", {}).get("fulfil_s"):
        summ["d.single.fulfil_s"] = summary(d["single"]["fulfil_s"])
    if d.get("burst", {}).get("all_s"):
        for k in ("p50_s", "max_s", "all_s"):
            summ["d.burst." + k] = summary(d["burst"][k])
    result["summary"] = summ
    print(json.dumps(result, indent=2))
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
