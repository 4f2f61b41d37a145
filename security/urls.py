"""Pages of the security and audit administrators, under /security/."""

from security import audit_views, identity_views, otp_views, personal_views

app_name = "security"
URL_PREFIX = "security/"
urlpatterns = [*audit_views.urlpatterns, *personal_views.urlpatterns, *identity_views.urlpatterns,
               *otp_views.urlpatterns]
# API paths under /api/v1/ (not namespaced): the token's issue and revocation.
api_urlpatterns = [*identity_views.api_urlpatterns]
