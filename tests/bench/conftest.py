"""The benchmark generator's tests report cases the way the workflow's tests do."""

from tests.dispatch.conftest import category, make_case, work_area  # noqa: F401  (fixtures)
