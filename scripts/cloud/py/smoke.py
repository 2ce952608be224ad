"""Smoke test of the local cloud over REST, as a nodepool project user.

usage: smoke.py [CLOUD] [COUNT]   (defaults: hpcloud-az2 25)
Boots COUNT servers in parallel on the project's network, waits for ACTIVE,
checks each has a port with an IP, checks Neutron's If-Match conditional
update on a port (200 on match, 412 when stale), sets metadata, snapshots
one server, then deletes everything and waits until it is gone. Exits
non-zero on any failure. Reads .cloud/clouds.yaml + secure.yaml.
"""
import concurrent.futures as cf
import os
import sys
import time

import openstack

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
os.environ.setdefault('OS_CLIENT_CONFIG_FILE', os.path.join(ROOT, '.cloud', 'clouds.yaml'))
os.environ.setdefault('OS_CLIENT_SECURE_FILE', os.path.join(ROOT, '.cloud', 'secure.yaml'))


def log(msg, t0=[time.time()]):  # noqa: B006 -- start time on purpose
    print(f'[smoke {time.time() - t0[0]:6.1f}s] {msg}', flush=True)


def until(what, fn, timeout=180):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(1)
    raise SystemExit(f'timeout waiting for {what}')


def main():
    cloud = sys.argv[1] if len(sys.argv) > 1 else 'hpcloud-az2'
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    conn = openstack.connect(cloud=cloud)
    sess = conn.session
    flt = lambda t: {'service_type': t, 'interface': 'public', 'region_name': 'RegionOne'}  # noqa
    compute, network, image = flt('compute'), flt('network'), flt('image')

    def req(method, url, ep, ok=(200, 201, 202, 204), **kw):
        r = sess.request(url, method, endpoint_filter=ep, raise_exc=False, **kw)
        if r.status_code not in ok:
            raise SystemExit(f'{method} {url}: {r.status_code} {r.text[:300]}')
        return r

    img = req('GET', '/v2/images?name=ubuntu-precise', image).json()['images'][0]
    flavor = [f for f in req('GET', '/flavors', compute).json()['flavors']
              if f['name'] == 'm1.nodepool'][0]
    net = req('GET', '/v2.0/networks?name=private', network).json()['networks'][0]

    def boot(i):
        body = {'server': {'name': f'smoke-{i}', 'imageRef': img['id'], 'flavorRef': flavor['id'],
                           'networks': [{'uuid': net['id']}], 'metadata': {'smoke': 'yes'}}}
        return req('POST', '/servers', compute, json=body).json()['server']['id']

    log(f'{cloud}: booting {count} servers in parallel')
    with cf.ThreadPoolExecutor(max_workers=count) as ex:
        ids = list(ex.map(boot, range(count)))
    try:
        check(req, compute, network, image, ids, count, net)
    finally:
        # also after a failure: leave the shared cloud as we found it
        with cf.ThreadPoolExecutor(max_workers=count) as ex:
            list(ex.map(lambda i: req('DELETE', f'/servers/{i}', compute, ok=(204, 404)), ids))
    until('deletes', lambda: not servers_of(req, compute, ids))
    until('ports gone', lambda: not [
        p for p in req('GET', f'/v2.0/ports?network_id={net["id"]}', network).json()['ports']
        if p['device_owner'].startswith('compute:')])
    log(f'all {count} deleted, ports released')


def servers_of(req, compute, ids):
    r = req('GET', '/servers/detail?name=^smoke-', compute).json()['servers']
    return {s['id']: s for s in r if s['id'] in ids}


def check(req, compute, network, image, ids, count, net):
    def statuses():
        return servers_of(req, compute, ids)

    def all_active():
        st = statuses()
        errors = [s for s in st.values() if s['status'] == 'ERROR']
        if errors:
            raise SystemExit(f'{len(errors)} servers in ERROR: {errors[0].get("fault")}')
        return st if sum(s['status'] == 'ACTIVE' for s in st.values()) == count else None

    servers = until('ACTIVE', all_active)
    log(f'all {count} ACTIVE')
    no_ip = [s['name'] for s in servers.values() if not s['addresses'].get('private')]
    if no_ip:
        raise SystemExit(f'servers without an IP on "private": {no_ip}')
    log(f'all have an IP, e.g. {next(iter(servers.values()))["addresses"]["private"][0]["addr"]}')

    sid = ids[0]
    port = req('GET', f'/v2.0/ports?device_id={sid}', network).json()['ports'][0]
    rev = port['revision_number']
    hdr = {'If-Match': f'revision_number={rev}'}
    req('PUT', f'/v2.0/ports/{port["id"]}', network, headers=hdr,
        json={'port': {'description': 'claim:first'}})
    req('PUT', f'/v2.0/ports/{port["id"]}', network, ok=(412,), headers=hdr,
        json={'port': {'description': 'claim:second'}})
    log('If-Match on a port: 200 when current, 412 when stale')

    req('PUT', f'/servers/{sid}/metadata/claimed', compute, json={'meta': {'claimed': 'smoke'}})
    r = req('POST', f'/servers/{sid}/action', compute,
            json={'createImage': {'name': 'smoke-snap'}}, headers={'OpenStack-API-Version': 'compute 2.45'})
    snap = r.json()['image_id']
    time.sleep(2)
    status = req('GET', f'/v2/images/{snap}', image).json()['status']
    log(f'metadata set; snapshot {snap} created, {status} after 2 s')
    req('DELETE', f'/v2/images/{snap}', image)


if __name__ == '__main__':
    main()
