"""The manager: shared informers, controllers, leader election, endpoints and shutdown."""

from mirrorctl.manager.address import BindAddress
from mirrorctl.manager.errors import LeaderElectionLostError, ManagerError
from mirrorctl.manager.health import Checker, CheckResult, Checks
from mirrorctl.manager.manager import Manager
from mirrorctl.manager.options import ManagerOptions
from mirrorctl.manager.runnable import Runnable, RunnableFunc, Stoppable, needs_leader_election

__all__ = [
    "BindAddress",
    "CheckResult",
    "Checker",
    "Checks",
    "LeaderElectionLostError",
    "Manager",
    "ManagerError",
    "ManagerOptions",
    "Runnable",
    "RunnableFunc",
    "Stoppable",
    "needs_leader_election",
]
