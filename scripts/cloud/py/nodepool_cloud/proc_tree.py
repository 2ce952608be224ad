"""Print the memory in MiB of the given pids and all their descendants.

PSS (proportional set size) rather than RSS: forked uwsgi/neutron workers
share most pages with their parent, and summing RSS would count them twice.
"""
import os
import sys


def main(roots):
    children, rss = {}, {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open(f'/proc/{d}/stat') as f:
                stat = f.read().rsplit(')', 1)[1].split()
            with open(f'/proc/{d}/smaps_rollup') as f:
                rss[int(d)] = next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith('Pss:'))
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(d))
    seen, todo = set(), [int(p) for p in roots]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo.extend(children.get(p, []))
    print(round(sum(rss.get(p, 0) for p in seen) / 2**20))


if __name__ == '__main__':
    main(sys.argv[1:])
