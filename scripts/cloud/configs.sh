# shellcheck shell=bash
# Writes every service's config under $ETC. Sourced by up.sh after lib.sh and
# after the secrets are loaded. Written on every run (cheap); up.sh restarts a
# running service whose config changed.

# authtoken SERVICE_USER: the [keystone_authtoken] section all APIs share.
# Service users live in the "service" project with the admin role.
authtoken() {
  cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SERVICE_PASSWORD
region_name = RegionOne
EOF
}

# keystoneauth SECTION: the same credentials for a client section.
ksa() {
  cat <<EOF
[$1]
auth_type = password
auth_url = $KEYSTONE_URL
project_domain_name = Default
user_domain_name = Default
project_name = service
username = ${2:-nova}
password = $SERVICE_PASSWORD
region_name = RegionOne
valid_interfaces = public
EOF
}

# Every service runs with the legacy (pre-scope) policies: our users have
# plain member roles in plain projects, as on the public clouds we mirror.
POLICY='[oslo_policy]
enforce_new_defaults = false
enforce_scope = false'

# uwsgi_ini NAME PORT WSGI_FILE ENV...: one uwsgi master per API.
# Date: uwsgi's http-socket sends none; Apache, nginx and haproxy in front of
# real clouds do, and nodepool reads the cloud's clock from it (cloud-clock.ts).
# die-on-term: uwsgi otherwise treats SIGTERM as "reload" and comes back.
# Connection: close: keystoneauth/requests reusing a kept-alive uwsgi socket
# got "Connection reset by peer". The chunked-input options are refused on
# uwsgi's command line but accepted here; Glance needs them for uploads.
uwsgi_ini() {
  local name=$1 port=$2 file=$3; shift 3
  local procs=2
  mkdir -p "$ETC/uwsgi"
  {
    cat <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$port
wsgi-file = $file
master = true
processes = $procs
enable-threads = true
lazy-apps = true
die-on-term = true
exit-on-reload = false
add-header = Connection: close
route-run = addheader:Date: \${httptime[]}
buffer-size = 65535
http-chunked-input = true
http-raw-body = true
wsgi-manage-chunked-input = true
chunked-input-limit = 4096000
socket-timeout = 60
need-app = true
EOF
    local e
    for e in "$@"; do echo "env = $e"; done
  } >"$ETC/uwsgi/$name.ini"
}

write_keystone_conf() {
  mkdir -p "$ETC/keystone"
  cat >"$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
use_stderr = true
[database]
connection = $PG_URL/keystone
[token]
provider = fernet
# long enough for a test run; nodepool's CLI re-authenticates anyway
expiration = 14400
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
[identity]
# bcrypt's default 12 rounds cost ~0.3 s of CPU per password login on this
# 2-core machine; a throw-away test cloud doesn't need that.
password_hash_rounds = 4
caching = false
[cache]
# every API validates every request's token with Keystone; a per-process
# memory cache saves most of that work under parallel load
enabled = true
backend = dogpile.cache.memory
# ...but only for tokens: each uwsgi process has its own memory cache, so a catalog,
# project or role assignment created through one process stays stale in the others
# (a fresh bootstrap then failed with "public endpoint for compute service not found").
[catalog]
caching = false
[resource]
caching = false
[assignment]
caching = false
[role]
caching = false
$POLICY
EOF
  uwsgi_ini keystone 5000 /usr/bin/keystone-wsgi-public \
    "OS_KEYSTONE_CONFIG_FILES=$ETC/keystone/keystone.conf"
}

write_glance_conf() {
  mkdir -p "$ETC/glance"
  cp "$PKGROOT/usr/share/glance-common/glance-api-paste.ini" "$ETC/glance/glance-api-paste.ini"
  cat >"$ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
use_stderr = true
enabled_backends = file:file
show_image_direct_url = true
[database]
connection = $PG_URL/glance
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = $STATE/glance/images/
[os_glance_tasks_store]
filesystem_store_datadir = $STATE/glance/tasks/
[os_glance_staging_store]
filesystem_store_datadir = $STATE/glance/staging/
[paste_deploy]
flavor = keystone
$(authtoken glance)
$POLICY
EOF
  cat >"$ETC/glance/wsgi.py" <<'EOF'
from glance.common.wsgi_app import init_app
application = init_app()
EOF
  uwsgi_ini glance 9292 "$ETC/glance/wsgi.py" "OS_GLANCE_CONFIG_DIR=$ETC/glance"
}

write_placement_conf() {
  mkdir -p "$ETC/placement"
  cat >"$ETC/placement/placement.conf" <<EOF
[DEFAULT]
use_stderr = true
[api]
auth_strategy = keystone
[placement_database]
connection = $PG_URL/placement
$(authtoken placement)
$POLICY
EOF
  cat >"$ETC/placement/wsgi.py" <<'EOF'
from placement.wsgi import init_application
application = init_application()
EOF
  uwsgi_ini placement 8778 "$ETC/placement/wsgi.py" "OS_PLACEMENT_CONFIG_DIR=$ETC/placement"
}

write_nova_conf() {
  mkdir -p "$ETC/nova"
  cp "$PKGROOT/usr/share/nova-common/api-paste.ini" "$ETC/nova/api-paste.ini"
  cat >"$ETC/nova/nova.conf" <<EOF
[DEFAULT]
use_stderr = true
# "fakehost": one compute host, nova's fake driver (1000 vcpus, 800000 MB RAM,
# 600000 GB disk reported to placement: hundreds of tiny servers fit), extended to
# power off after setup and upload snapshot data (py/nodepool_cloud/fake_compute.py).
host = fakehost
compute_driver = nodepool_cloud.fake_compute.NodepoolFakeDriver
transport_url = $RABBIT_URL
state_path = $STATE/nova
instances_path = $STATE/nova/instances
my_ip = 127.0.0.1
# Neutron runs without agents: nobody sends network-vif-plugged. The fake
# driver does not wait for it anyway; don't let a real wait creep in.
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
# make boots and deletes quick and predictable
reclaim_instance_interval = 0
heal_instance_info_cache_interval = -1
allow_resize_to_same_host = true
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
[api_database]
connection = $PG_URL/nova_api
[database]
connection = $PG_URL/nova
[conductor]
workers = 1
[scheduler]
workers = 1
# a fresh compute host is picked up without a manual discover_hosts
discover_hosts_in_cells_interval = 10
[filter_scheduler]
# every server lands on the one fake host
host_subset_size = 1
[glance]
api_servers = http://127.0.0.1:9292
[oslo_concurrency]
lock_path = $STATE/nova/lock
[oslo_messaging_notifications]
driver = noop
$(authtoken nova)
$(ksa placement nova)
$(ksa neutron nova)
$(ksa service_user nova)
send_service_user_token = true
$POLICY
EOF
  # nova-compute gets the same config without database access: it has to go
  # through the conductor and logs "No DB access allowed" errors otherwise.
  awk '/^\[/{skip = ($0 == "[database]" || $0 == "[api_database]")} !skip' \
    "$ETC/nova/nova.conf" >"$ETC/nova/nova-compute.conf"
  uwsgi_ini nova-api 8774 "$ETC/nova/wsgi.py" "OS_NOVA_CONFIG_DIR=$ETC/nova"
  cat >"$ETC/nova/wsgi.py" <<'EOF'
from nova.api.openstack.compute.wsgi import init_application
application = init_application()
EOF
}

write_neutron_conf() {
  mkdir -p "$ETC/neutron"
  cp "$PKGROOT/usr/share/neutron-common/api-paste.ini" "$ETC/neutron/api-paste.ini"
  cat >"$ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
use_stderr = true
bind_host = 127.0.0.1
bind_port = 9696
core_plugin = ml2
# router: nova asks for floating IPs when it shows a server
service_plugins = router,port_forwarding
auth_strategy = keystone
transport_url = $RABBIT_URL
api_paste_config = $ETC/neutron/api-paste.ini
state_path = $STATE/neutron
# Two API workers: one eventlet process was the bottleneck when 25 servers
# boot at once (each boot creates and binds a port). Workers fork after
# launch.py's mapper fix, so they inherit it.
api_workers = 2
rpc_workers = 0
rpc_state_report_workers = 0
# no agents: nothing to notify, nothing to schedule
dhcp_agent_notification = false
network_auto_schedule = false
allow_automatic_l3agent_failover = false
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
[database]
connection = $PG_URL/neutron
[ml2]
type_drivers = flat,local
tenant_network_types = local
# "agentless" = scripts/cloud/py/nodepool_cloud/ml2_agentless.py: binds
# every port so that nova's boot with a port does not end in binding_failed
mechanism_drivers = agentless
extension_drivers = port_security
[oslo_concurrency]
lock_path = $STATE/neutron/lock
[oslo_messaging_notifications]
driver = noop
$(authtoken neutron)
$POLICY
EOF
  # Register the driver under neutron.ml2.mechanism_drivers: ML2 loads drivers
  # by entry-point name only, and importlib.metadata finds this dist-info on
  # PYTHONPATH.
  local di="$PYLIB/nodepool_cloud_ml2-0.1.dist-info"
  mkdir -p "$di"
  printf 'Metadata-Version: 2.1\nName: nodepool-cloud-ml2\nVersion: 0.1\n' >"$di/METADATA"
  printf '[neutron.ml2.mechanism_drivers]\nagentless = nodepool_cloud.ml2_agentless:AgentlessMechanismDriver\n' \
    >"$di/entry_points.txt"
}

write_rabbitmq_conf() {
  mkdir -p "$ETC/rabbitmq"
  cat >"$ETC/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:5672
loopback_users.guest = true
log.console = true
log.file = false
# a developer's disk may be nearly full; the default 50 MB limit would block
# every publisher with no clear error
disk_free_limit.absolute = 10MB
EOF
  echo '[].' >"$ETC/rabbitmq/enabled_plugins"
}

write_all_configs() {
  write_rabbitmq_conf
  write_keystone_conf
  write_glance_conf
  write_placement_conf
  write_nova_conf
  write_neutron_conf
}
