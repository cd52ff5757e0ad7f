"""What ``--help`` says about a setting's default is what the command does."""

from __future__ import annotations

import pytest

from mirrorctl.cli.main import main


@pytest.mark.parametrize("command", ["run", "explain"])
def test_the_kubeconfig_default_does_not_promise_in_cluster(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without a kubeconfig, run and explain read $KUBECONFIG or ~/.kube/config and fail when
    # neither exists; only --in-cluster (or auto, in a pod) uses the service account.
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "kubeconfig path; unset: $KUBECONFIG, else ~/.kube/config (env" in text
