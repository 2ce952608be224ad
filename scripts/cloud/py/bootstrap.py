"""Idempotent bootstrap of the local cloud over its REST APIs (admin).

usage: bootstrap.py identity    service project/users/roles and the catalog
       bootstrap.py resources   flavors, nodepool projects/users/quotas, base
                                image, networks, app credential, clouds.yaml
Run by scripts/cloud/up.sh with Debian's /usr/bin/python3. Every step looks
before it creates, so a second run changes nothing.
"""
import os
import secrets
import sys

import yaml
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
CLOUD = os.path.join(ROOT, '.cloud')
SECRETS = os.path.join(CLOUD, 'secrets.env')
KS = 'http://127.0.0.1:5000/v3'
REGION = 'RegionOne'

# (service user, service type, endpoint URL)
SERVICES = [
    ('glance', 'image', 'http://127.0.0.1:9292'),
    ('placement', 'placement', 'http://127.0.0.1:8778'),
    ('nova', 'compute', 'http://127.0.0.1:8774/v2.1'),
    ('neutron', 'network', 'http://127.0.0.1:9696'),
]

# Tiny on purpose: nova's fake driver reports 1000 vcpus, 800000 MB RAM and
# 600000 GB disk, so 3 projects x 100 instances of any of these fit.
FLAVORS = [  # name, vcpus, ram MB, disk GB
    ('m1.tiny', 1, 512, 1),
    ('m1.small', 1, 2048, 20),
    ('m1.nodepool', 1, 1024, 5),
]

# One project + user per provider name of our example images.yaml. Each gets
# a network "private" whose subnet is a documentation range (RFC 5737): the
# addresses only ever live in Neutron's database.
PROVIDERS = [
    ('hpcloud-az2', '192.0.2.0/24'),
    ('rax-iad', '198.51.100.0/24'),
    ('ovh-gra1', '203.0.113.0/24'),
]
QUOTA = {'instances': 100, 'cores': 200, 'ram': 262144}
NETWORK_QUOTA = {'port': 300, 'network': 20, 'subnet': 20}
IMAGE = 'ubuntu-precise'
NETWORK = 'private'
APPCRED_CLOUD, APPCRED_OWNER, APPCRED_NAME = 'hpcloud-az2-appcred', 'hpcloud-az2', 'nodepool'


def load_secrets():
    out = {}
    with open(SECRETS) as f:
        for line in f:
            if '=' in line:
                k, v = line.strip().split('=', 1)
                out[k] = v
    return out


def secret(sec, key):
    """The stored secret KEY, made and stored on first use."""
    if key not in sec:
        sec[key] = secrets.token_urlsafe(18)
        with open(SECRETS, 'a') as f:
            f.write(f'{key}={sec[key]}\n')
    return sec[key]


def pw_key(name):
    return 'PW_' + name.upper().replace('-', '_')


def log(msg):
    print(f'[bootstrap] {msg}', flush=True)


class Api:
    """Thin REST client: raises with the body on any unexpected status."""

    def __init__(self, sess):
        self.s = sess

    def req(self, method, url, service=None, ok=(200, 201, 202, 204), **kw):
        kw.setdefault('raise_exc', False)
        if service:
            kw['endpoint_filter'] = {'service_type': service, 'interface': 'public',
                                     'region_name': REGION}
        r = self.s.request(url, method, **kw)
        if r.status_code not in ok:
            raise SystemExit(f'{method} {service or ""} {url}: {r.status_code} {r.text[:500]}')
        return r

    def get(self, url, service=None, **kw):
        return self.req('GET', url, service, **kw).json()

    def post(self, url, body, service=None, **kw):
        r = self.req('POST', url, service, json=body, **kw)
        return r.json() if r.content else {}


def admin_api(sec):
    auth = v3.Password(auth_url=KS, username='admin', password=sec['ADMIN_PASSWORD'],
                       project_name='admin', user_domain_id='default',
                       project_domain_id='default')
    return Api(ks_session.Session(auth=auth))


def find_one(items, **match):
    for it in items:
        if all(it.get(k) == v for k, v in match.items()):
            return it
    return None


# ---------------------------------------------------------------- identity

def ensure_project(api, name, description):
    p = find_one(api.get(f'{KS}/projects?name={name}')['projects'], name=name)
    if not p:
        p = api.post(f'{KS}/projects', {'project': {
            'name': name, 'domain_id': 'default', 'description': description}})['project']
        log(f'project {name} created')
    return p


def ensure_role(api, name):
    r = find_one(api.get(f'{KS}/roles?name={name}')['roles'], name=name)
    if not r:
        r = api.post(f'{KS}/roles', {'role': {'name': name}})['role']
    return r


def ensure_user(api, name, password, project):
    u = find_one(api.get(f'{KS}/users?name={name}')['users'], name=name)
    if not u:
        u = api.post(f'{KS}/users', {'user': {
            'name': name, 'domain_id': 'default', 'password': password,
            'default_project_id': project['id']}})['user']
        log(f'user {name} created')
    else:
        # the password is ours to set: keeps state and secrets.env in step
        api.req('PATCH', f'{KS}/users/{u["id"]}', json={'user': {'password': password}})
    return u


def grant(api, project, user, role):
    api.req('PUT', f'{KS}/projects/{project["id"]}/users/{user["id"]}/roles/{role["id"]}')


def ensure_catalog(api):
    services = api.get(f'{KS}/services')['services']
    endpoints = api.get(f'{KS}/endpoints')['endpoints']
    for name, stype, url in SERVICES:
        svc = find_one(services, type=stype)
        if not svc:
            svc = api.post(f'{KS}/services', {'service': {'name': name, 'type': stype}})['service']
            log(f'service {stype} created')
        for iface in ('public', 'internal', 'admin'):
            ep = find_one(endpoints, service_id=svc['id'], interface=iface)
            if not ep:
                api.post(f'{KS}/endpoints', {'endpoint': {
                    'service_id': svc['id'], 'interface': iface, 'url': url,
                    'region_id': REGION}})
            elif ep['url'] != url:
                api.req('PATCH', f'{KS}/endpoints/{ep["id"]}', json={'endpoint': {'url': url}})


def identity(sec):
    api = admin_api(sec)
    service = ensure_project(api, 'service', 'OpenStack service users')
    admin_role, service_role = ensure_role(api, 'admin'), ensure_role(api, 'service')
    for name, _, _ in SERVICES:
        u = ensure_user(api, name, sec['SERVICE_PASSWORD'], service)
        grant(api, service, u, admin_role)
        grant(api, service, u, service_role)
    ensure_catalog(api)
    log('identity done')


# ---------------------------------------------------------------- resources

def ensure_flavors(api):
    have = api.get('/flavors/detail?is_public=None', 'compute')['flavors']
    for name, vcpus, ram, disk in FLAVORS:
        if not find_one(have, name=name):
            api.post('/flavors', {'flavor': {'name': name, 'vcpus': vcpus, 'ram': ram,
                                             'disk': disk, 'os-flavor-access:is_public': True}},
                     'compute')
            log(f'flavor {name} created')


def ensure_image(api):
    imgs = api.get(f'/v2/images?name={IMAGE}', 'image')['images']
    for img in imgs:
        if img['status'] == 'active':
            return img
        # an upload that died half-way: start over
        api.req('DELETE', f'/v2/images/{img["id"]}', 'image')
    img = api.post('/v2/images', {'name': IMAGE, 'disk_format': 'raw', 'container_format': 'bare',
                                  'visibility': 'public', 'os_distro': 'ubuntu',
                                  'os_version': '12.04'}, 'image')
    # 1 MiB of zeros: a "raw disk" small enough to upload in a blink.
    api.req('PUT', f'/v2/images/{img["id"]}/file', 'image', data=b'\0' * 2**20,
            headers={'Content-Type': 'application/octet-stream'})
    log(f'image {IMAGE} created and uploaded')
    return img


def ensure_network(api, project, cidr):
    pid = project['id']
    nets = api.get(f'/v2.0/networks?name={NETWORK}&project_id={pid}', 'network')['networks']
    net = nets[0] if nets else api.post('/v2.0/networks', {'network': {
        'name': NETWORK, 'project_id': pid, 'admin_state_up': True}}, 'network')['network']
    subs = api.get(f'/v2.0/subnets?network_id={net["id"]}', 'network')['subnets']
    if not subs:
        api.post('/v2.0/subnets', {'subnet': {
            'name': f'{NETWORK}-subnet', 'network_id': net['id'], 'project_id': pid,
            'ip_version': 4, 'cidr': cidr, 'enable_dhcp': False}}, 'network')
        log(f'network {NETWORK} {cidr} created for {project["name"]}')
    return net


def user_session(name, password):
    auth = v3.Password(auth_url=KS, username=name, password=password, project_name=name,
                       user_domain_id='default', project_domain_id='default')
    return ks_session.Session(auth=auth)


def appcred_works(cred_id, cred_secret):
    auth = v3.ApplicationCredential(auth_url=KS, application_credential_id=cred_id,
                                    application_credential_secret=cred_secret)
    try:
        ks_session.Session(auth=auth).get_token()
        return True
    except Exception:  # noqa: BLE001 -- any failure means "make a new one"
        return False


def ensure_appcred(sec, user):
    """An application credential for hpcloud-az2, with a secret we chose.

    Keystone shows a secret only when it is created, so we pick it ourselves
    and keep it in secrets.env; a credential that no longer matches is
    replaced.
    """
    s = user_session(APPCRED_OWNER, sec[pw_key(APPCRED_OWNER)])
    api = Api(s)
    cred_secret = secret(sec, 'APPCRED_SECRET')
    creds = api.get(f'{KS}/users/{user["id"]}/application_credentials?name={APPCRED_NAME}')
    for c in creds['application_credentials']:
        if appcred_works(c['id'], cred_secret):
            return c
        api.req('DELETE', f'{KS}/users/{user["id"]}/application_credentials/{c["id"]}')
    c = api.post(f'{KS}/users/{user["id"]}/application_credentials', {'application_credential': {
        'name': APPCRED_NAME, 'secret': cred_secret,
        'description': 'nodepool local cloud: tests of the v3applicationcredential auth'}})
    log('application credential created')
    return c['application_credential']


def cloud_entry(auth):
    return {'auth': dict(auth_url=KS, **auth), 'region_name': REGION,
            'identity_api_version': 3, 'interface': 'public'}


def write_clouds(sec, appcred):
    """clouds.yaml without secrets, secure.yaml with them (openstacksdk and
    gophercloud merge the two: OS_CLIENT_CONFIG_FILE / OS_CLIENT_SECURE_FILE)."""
    dom = {'user_domain_name': 'Default', 'project_domain_name': 'Default'}
    clouds = {'admin': cloud_entry(dict(username='admin', project_name='admin', **dom))}
    secure = {'admin': {'auth': {'password': sec['ADMIN_PASSWORD']}}}
    for name, _ in PROVIDERS:
        clouds[name] = cloud_entry(dict(username=name, project_name=name, **dom))
        secure[name] = {'auth': {'password': sec[pw_key(name)]}}
    clouds[APPCRED_CLOUD] = cloud_entry({'application_credential_id': appcred['id']})
    clouds[APPCRED_CLOUD]['auth_type'] = 'v3applicationcredential'
    secure[APPCRED_CLOUD] = {'auth': {'application_credential_secret': sec['APPCRED_SECRET']}}
    head = ('# Written by scripts/cloud/up.sh: the local OpenStack on 127.0.0.1.\n'
            '# Passwords are in secure.yaml next to this file. See docs/local-cloud.md.\n')
    for fname, data, mode in (('clouds.yaml', clouds, 0o644), ('secure.yaml', secure, 0o600)):
        path = os.path.join(CLOUD, fname)
        with open(path + '.tmp', 'w') as f:
            f.write(head)
            yaml.safe_dump({'clouds': data}, f, sort_keys=False)
        os.chmod(path + '.tmp', mode)
        os.replace(path + '.tmp', path)
    with open(os.path.join(CLOUD, 'openrc'), 'w') as f:
        f.write(f'# source me: the openstack CLI then finds the local clouds\n'
                f'export OS_CLIENT_CONFIG_FILE={CLOUD}/clouds.yaml\n'
                f'export OS_CLIENT_SECURE_FILE={CLOUD}/secure.yaml\n')


def resources(sec):
    api = admin_api(sec)
    ensure_flavors(api)
    ensure_image(api)
    member = ensure_role(api, 'member')
    users = {}
    for name, cidr in PROVIDERS:
        project = ensure_project(api, name, f'nodepool provider {name}')
        users[name] = ensure_user(api, name, secret(sec, pw_key(name)), project)
        grant(api, project, users[name], member)
        api.req('PUT', f'/os-quota-sets/{project["id"]}', 'compute', json={'quota_set': QUOTA})
        api.req('PUT', f'/v2.0/quotas/{project["id"]}', 'network', json={'quota': NETWORK_QUOTA})
        ensure_network(api, project, cidr)
    appcred = ensure_appcred(sec, users[APPCRED_OWNER])
    write_clouds(sec, appcred)
    log('resources done')


def main():
    sec = load_secrets()
    {'identity': identity, 'resources': resources}[sys.argv[1]](sec)


if __name__ == '__main__':
    main()
