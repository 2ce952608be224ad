"""Start an OpenStack command by module, with Debian's python.

Debian's library packages (python3-nova, python3-neutron, ...) ship the modules
but not the console scripts of the daemon packages (nova-conductor,
neutron-server, nova-manage, ...), which we deliberately do not install (they
run debconf and init scripts). usage: launch.py NAME [ARGS...]
"""
import importlib
import sys

MODULES = {
    'nova-conductor': 'nova.cmd.conductor',
    'nova-scheduler': 'nova.cmd.scheduler',
    'nova-compute': 'nova.cmd.compute',
    'nova-manage': 'nova.cmd.manage',
    'glance-manage': 'glance.cmd.manage',
    'neutron-db-manage': 'neutron.db.migration.cli',
    'neutron-server': 'neutron.cmd.eventlet.server',
}


def main():
    name, args = sys.argv[1], sys.argv[2:]
    sys.argv = [name] + args
    module = importlib.import_module(MODULES[name])
    if name == 'nova-compute':
        # nova loads compute_driver as 'nova.virt.' + the option's value, so
        # our driver (nodepool_cloud.fake_compute) is made importable under
        # nova.virt as well. After the import above: nova.cmd monkey-patches.
        import nodepool_cloud
        import nodepool_cloud.fake_compute
        sys.modules['nova.virt.nodepool_cloud'] = nodepool_cloud
        sys.modules['nova.virt.nodepool_cloud.fake_compute'] = nodepool_cloud.fake_compute
    if name == 'neutron-server':
        # Zed with a minimal ML2: GET /v2.0/ports fails with "type object
        # 'Port' has no attribute 'port_forwardings'" unless the model that
        # adds that relationship is imported and mappers are configured
        # before the first request.
        import neutron.db.models.port_forwarding  # noqa: F401
        from sqlalchemy import orm
        orm.configure_mappers()
    sys.exit(module.main())


if __name__ == '__main__':
    main()
