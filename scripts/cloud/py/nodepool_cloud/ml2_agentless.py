"""An ML2 mechanism driver that binds every port without any L2 agent.

The local cloud runs Neutron's API server only. With no mechanism driver able
to bind, a port that Nova gives a host gets binding:vif_type=binding_failed and
Nova fails the boot with PortBindingFailed. Nova's fake virt driver plugs
nothing, so a binding only has to exist: this driver binds the first segment
it is offered, as vif_type "ovs", and marks the port ACTIVE at once (no agent
will ever report it up). It is registered through a generated dist-info
(up.sh writes .cloud/pylib/...dist-info/entry_points.txt) as "agentless".
"""
from neutron_lib.plugins.ml2 import api
from neutron_lib.api.definitions import portbindings
from neutron_lib import constants


class AgentlessMechanismDriver(api.MechanismDriver):
    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: False,
                 portbindings.OVS_HYBRID_PLUG: False},
                status=constants.PORT_STATUS_ACTIVE)
            return
