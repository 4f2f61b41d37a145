"""Open311 GeoReport v2 under /open311/v2/: every resource as <name>.<format>, format xml or json
(checked by the view, so an unknown format gets the specification's 404 body)."""

from django.urls import path, re_path

from open311 import views

app_name = "open311"
URL_PREFIX = "open311/v2/"

FORMAT = r"\.(?P<fmt>[^/.]+)$"

urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FORMAT, views.service_definition, name="service"),
    re_path(r"^requests" + FORMAT, views.request_list, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)" + FORMAT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FORMAT, views.token_detail, name="token"),
    # Anything else under the endpoint: the specification's 404, not an HTML page.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
