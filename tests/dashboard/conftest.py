"""The case workflow's fixtures (tests/dispatch/conftest.py), for the dashboard's tests too."""

from tests.dispatch.conftest import (  # noqa: F401
    category,
    cooperating_agency,
    cooperating_head,
    dispatched_case,
    make_case,
    reported_case,
    work_area,
    workflow,
)
