"""三员分立 (GB/T 22239-2019 8.1.4.2, 访问控制): what each of the three administrators may do in the admin,
written once. `people.services.roles_ensure` (run by seed_haidian) gives each role's auth group exactly
these model permissions; a membership in one of the roles (held at the district, one role per
account) makes the person staff, so that they reach the admin.

- The system administrator keeps the organisation and the accounts: units, grids, the calendar,
  categories, people and their ordinary memberships. Not the administrator roles, not groups or
  permissions, and not the accounts of superusers or administrators (people.admin).
- The security administrator keeps roles and permissions: groups, every membership including the
  administrator roles, lockouts (unlock), API tokens and second-factor devices; they look at accounts
  and units only to pick them.
- The audit administrator reads the audit log and changes nothing.
"""

from haidian.permissions import Role

_VIEW = ("view",)
_KEEP = ("add", "change", "view")
_UNITS = ("agencies.district", "agencies.street", "agencies.department", "agencies.agency", "grids.community",
          "grids.gridcell")


def _perms(models: tuple[str, ...], actions: tuple[str, ...]) -> list[str]:
    """"app.model" × actions → ["app.action_model", …]."""
    return [f"{label.split('.')[0]}.{action}_{label.split('.')[1]}" for label in models for action in actions]


# role → the model permissions ("app_label.codename") its group holds, nothing more.
ADMIN_PERMISSIONS: dict[str, list[str]] = {
    Role.SYSTEM_ADMIN: [
        *_perms(("auth.user",), _KEEP),
        *_perms(_UNITS, _KEEP),
        *_perms(("haidian.calendaryear", "haidian.calendarday", "dispatch.category"), _KEEP),
        *_perms(("people.membership",), ("add", "change", "view", "delete")),
    ],
    Role.SECURITY_ADMIN: [
        *_perms(("auth.user", "auth.permission", *_UNITS), _VIEW),
        *_perms(("auth.group",), ("add", "change", "view", "delete")),
        *_perms(("people.membership",), ("add", "change", "view", "delete")),
        "people.grant_admin_role",
        *_perms(("axes.accessattempt",), ("view", "delete")),  # delete = unlock
        *_perms(("axes.accessfailurelog", "axes.accesslog"), _VIEW),
        *_perms(("authtoken.tokenproxy", "authtoken.token"), ("view", "delete")),  # delete = revoke
        *_perms(("otp_totp.totpdevice",), ("view", "change", "delete")),
    ],
    Role.AUDIT_ADMIN: [
        "haidian.view_auditentry",
    ],
}
