"""An InstanceIP may name the analyzer's VMI by uid alone, or by bare name (no namespace):
the receiver's resolution accepts both, so the map functions must find the destination (and
its sources) for such an InstanceIP as well."""

from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.mirroring import keys

from .conftest import Running
from .support import Lab, R, eventually, unique
from .test_steady_state import idle

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("form", ["uid", "bare-name"])
async def test_an_address_change_reaches_status_and_sources_whatever_the_reference_form(
    lab: Lab, controller: Running, form: str
) -> None:
    # A bare name matches a VMI of that name in any namespace: no other test's analyzer may
    # share it.
    selector, md, analyzer = unique("sel"), unique("md"), unique("an")
    await lab.destination(md, selector, {})
    await lab.pod(
        analyzer,
        labels={keys.ANALYZER_POD: selector},
        annotations={keys.ANALYZER_INTERFACE: "true"},
    )
    await lab.pod("src", annotations={keys.MIRROR_DESTINATION: md})

    async def configured_to(address: str) -> bool:
        configuration = await lab.configuration("src")
        return (
            configuration is not None
            and configuration["analyzer_ip_address"] == address
            and (await lab.status(md)).get("ipAddress") == address
        )

    address, _ = await lab.analyzer_address(analyzer)
    await eventually(lambda: configured_to(address), what="the source configured")
    vmi = await lab.vmi(analyzer)
    ref: dict[str, Any] = {"apiVersion": R.virtual_machine_interfaces.api_version}
    ref["kind"] = "VirtualMachineInterface"
    if form == "uid":
        ref["uid"] = vmi["metadata"]["uid"]
    else:
        ref["name"] = vmi["metadata"]["name"]
    iip = await lab.instance_ip(analyzer)
    # First the reference alone (an update whose old object still names the VMI in full),
    # then, once that has settled, the address.
    await lab.admin.patch(
        R.instance_ips, iip, {"spec": {"virtualMachineInterfaceReferences": [ref]}}
    )

    async def quiet() -> bool:
        return idle(controller)

    await eventually(quiet, what="the controllers idle")
    assert await configured_to(address)
    await lab.admin.patch(R.instance_ips, iip, {"spec": {"instanceIPAddress": "10.99.0.7"}})
    await eventually(lambda: configured_to("10.99.0.7"), what="status and source moved")
