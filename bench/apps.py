from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """The benchmark generator (`seed_scale`) and its bookkeeping: installed only when HAIDIAN_ENV is
    demo or test, never in production."""

    name = "bench"
    verbose_name = _("Benchmark data")
