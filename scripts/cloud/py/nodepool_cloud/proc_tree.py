"""Print the total RSS in MiB of the given pids and all their descendants."""
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
            with open(f'/proc/{d}/statm') as f:
                rss[int(d)] = int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
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
