"""Nova's fake virt driver, plus the two things a hypervisor does that nodepool builds need.

A build boots a template server whose user data (the image's setup script) ends by powering
the server off; nodepool then snapshots it, and the compute host uploads the disk to Glance.
The fake driver boots nothing and uploads nothing, so this subclass:

- "runs" the user data: when it mentions poweroff, the server powers itself off a few
  seconds after boot, and tells Nova through a lifecycle event, as libvirt does (Nova then
  records the server as SHUTOFF);
- uploads a few bytes as the snapshot's data, with the formats a compute host sets, so the
  Glance image goes active (unless the server's metadata says fake_snapshot_upload=never, for
  tests of a snapshot that never completes).

Selected in nova.conf as compute_driver = nodepool_cloud.fake_compute.NodepoolFakeDriver.
"""
import base64
import io

import eventlet
from nova.compute import power_state
from nova.compute import task_states
from nova.image import glance
from nova.virt import event as virtevent
from nova.virt import fake

# Long enough for a client that waits for ACTIVE after boot (the OpenStack provider polls
# every few seconds) to see the server up before it powers off, as a real setup would.
SETUP_SECONDS = 20


def _user_data_powers_off(instance):
    encoded = instance.user_data
    if not encoded:
        return False
    try:
        return b"poweroff" in base64.b64decode(encoded)
    except (ValueError, TypeError):
        return False


class NodepoolFakeDriver(fake.FakeDriver):
    def spawn(self, context, instance, *args, **kwargs):
        super().spawn(context, instance, *args, **kwargs)
        if _user_data_powers_off(instance):
            eventlet.spawn_after(SETUP_SECONDS, self._setup_finished, instance.uuid)

    def _setup_finished(self, uuid):
        fake_instance = self.instances.get(uuid)
        if fake_instance is None:
            return
        fake_instance.state = power_state.SHUTDOWN
        self.emit_event(virtevent.LifecycleEvent(uuid, virtevent.EVENT_LIFECYCLE_STOPPED))

    def snapshot(self, context, instance, image_id, update_task_state):
        # The fake driver forgets its servers when nova-compute restarts (up.sh restarts it
        # when its config changes); a real hypervisor would still have the disk.
        if instance.uuid not in self.instances:
            self.instances[instance.uuid] = fake.FakeInstance(
                instance.name, power_state.SHUTDOWN, instance.uuid)
        super().snapshot(context, instance, image_id, update_task_state)
        # Tests of a build that never finishes ask for a hypervisor that never uploads.
        if (instance.metadata or {}).get("fake_snapshot_upload") == "never":
            return
        data = ("snapshot of %s (%s)\n" % (instance.display_name, instance.uuid)).encode()
        glance.API().update(
            context, image_id, {"disk_format": "raw", "container_format": "bare"},
            data=io.BytesIO(data), purge_props=False)
