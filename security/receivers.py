"""Signal receivers that put changes of accounts, roles, memberships and permissions on the audit log.

Model signals rather than hooks in the admin or the services, so that every writer leaves its row: the
admin, `people.services`, an import, a management command, the shell. Who acted and from where come
from the request being served (`haidian.audit.current_request`, set by AuditContextMiddleware); outside
a request (a command, a Celery task) the row has no actor, which is itself worth knowing.

A row is written in the same transaction as the change it records: a change rolled back (an import's
dry run) leaves no row, and no change is committed without its row.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import translation
from import_export.signals import post_export

from haidian import audit
from haidian.audit import Action
from people.models import Membership

User = get_user_model()

# The account fields whose change is a change of who may do what (the password is recorded apart,
# and never its hash).
WATCHED_FIELDS = ("username", "is_active", "is_staff", "is_superuser")
ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


# --- users -----------------------------------------------------------------------------------------

@receiver(pre_save, sender=User, dispatch_uid="audit-user-before")
def _user_before(sender, instance, update_fields=None, **kwargs):
    """Read what the account was, to tell afterwards what changed: one query, and none for a save of
    other fields only (the login's `last_login`)."""
    instance._audit_before = None
    if instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & {*WATCHED_FIELDS, "password"}:
        return
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*WATCHED_FIELDS, "password").first()


@receiver(post_save, sender=User, dispatch_uid="audit-user-saved")
def _user_saved(sender, instance, created, **kwargs):
    if created:
        audit.record(Action.USER_CREATED, obj=instance,
                     data={field: getattr(instance, field) for field in WATCHED_FIELDS})
        return
    before = instance.__dict__.pop("_audit_before", None)
    if before is None:
        return
    changed = {field: [before[field], getattr(instance, field)]
               for field in WATCHED_FIELDS if before[field] != getattr(instance, field)}
    if changed:
        audit.record(Action.USER_CHANGED, obj=instance, data={"changed": changed})
    if before["password"] != instance.password:
        # Whether a password can still sign in, never the hash.
        audit.record(Action.PASSWORD_CHANGED, obj=instance, data={"usable": instance.has_usable_password()})


@receiver(post_delete, sender=User, dispatch_uid="audit-user-deleted")
def _user_deleted(sender, instance, **kwargs):
    audit.record(Action.USER_DELETED, obj=instance, data={"username": instance.get_username()})


# --- role groups and direct permissions --------------------------------------------------------------

def _user_label(user) -> str:
    return user.get_username()


def _group_label(group) -> str:
    return group.name


def _permission_label(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


# through model → (relation, owner model, owner column, target model, target column, target label)
_RELATIONS = {
    User.groups.through: ("groups", User, "user_id", Group, "group_id", _group_label),
    User.user_permissions.through: ("user_permissions", User, "user_id", Permission, "permission_id",
                                    _permission_label),
    Group.permissions.through: ("permissions", Group, "group_id", Permission, "permission_id", _permission_label),
}


def _targets(model, ids, label) -> list[str]:
    rows = model.objects.filter(pk__in=ids)
    if model is Permission:
        rows = rows.select_related("content_type")
    return sorted(label(row) for row in rows)


def _m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """One row per account or group whose groups or permissions changed, naming what was added or
    removed. Either side may be changed (`user.groups.add(g)` or `g.user_set.add(u)`)."""
    relation, owner_model, owner_column, target_model, target_column, label = _RELATIONS[sender]
    if action == "pre_clear":
        # Read now what the clear is about to remove; pk_set is None for a clear.
        column, other = (target_column, owner_column) if not reverse else (owner_column, target_column)
        instance.__dict__.setdefault("_audit_cleared", {})[sender] = set(
            sender.objects.filter(**{other: instance.pk}).values_list(column, flat=True))
        return
    if action == "post_clear":
        pk_set = instance.__dict__.get("_audit_cleared", {}).pop(sender, set())
    elif action not in ("post_add", "post_remove"):
        return
    if not pk_set:
        return
    change = "added" if action == "post_add" else "removed"
    if reverse:  # the target's side: each owner gets a row naming this one target
        owners = list(owner_model.objects.filter(pk__in=pk_set))
        if target_model is Permission:
            instance = Permission.objects.select_related("content_type").get(pk=instance.pk)
        targets = [label(instance)]
    else:
        owners, targets = [instance], _targets(target_model, pk_set, label)
    for owner in owners:
        audit.record(Action.PERMISSION_CHANGED, obj=owner, data={"relation": relation, change: targets})


for _through in _RELATIONS:
    m2m_changed.connect(_m2m_changed, sender=_through, dispatch_uid=f"audit-m2m-{_through._meta.label_lower}")


# --- memberships (roles in units) --------------------------------------------------------------------

def _membership_facts(membership: Membership) -> dict:
    facts = {"user_id": membership.user_id, "role": membership.role}
    try:
        facts["username"] = membership.user.get_username()
        unit = membership.unit
        facts.update(unit_type=membership.unit_field, unit_id=unit.pk, unit=f"{unit.code} {unit}")
    except (ObjectDoesNotExist, ValueError):  # removed with its unit or its person, in one cascade
        pass
    return facts


def _membership_repr(facts: dict) -> str:
    with translation.override("zh-hans"):
        role = str(dict(Membership._meta.get_field("role").choices).get(facts["role"], facts["role"]))
    return " · ".join(str(part) for part in (facts.get("username", facts["user_id"]), role, facts.get("unit", "")))


@receiver(post_save, sender=Membership, dispatch_uid="audit-membership-granted")
def _membership_granted(sender, instance, created, **kwargs):
    # `people.services.membership_grant` is the only writer; granting one held already creates nothing.
    if created:
        facts = _membership_facts(instance)
        audit.record(Action.ROLE_GRANTED, obj=instance, object_repr=_membership_repr(facts), data=facts)


@receiver(post_delete, sender=Membership, dispatch_uid="audit-membership-revoked")
def _membership_revoked(sender, instance, **kwargs):
    facts = _membership_facts(instance)
    audit.record(Action.ROLE_REVOKED, obj=instance, object_repr=_membership_repr(facts), data=facts)


# --- the admin --------------------------------------------------------------------------------------

def _admin_entry(entry: LogEntry) -> None:
    content_type = entry.content_type
    label = f"{content_type.app_label}.{content_type.model}" if content_type else ""
    with translation.override("zh-hans"):
        message = entry.get_change_message()
    audit.record(Action.ADMIN_CHANGE, actor=entry.user, object_type=label, object_id=entry.object_id or "",
                 object_repr=entry.object_repr,
                 data={"action": ADMIN_ACTIONS.get(entry.action_flag, entry.action_flag), "content_type": label,
                       "change_message": message, "log_entry": entry.pk})


@receiver(post_save, sender=LogEntry, dispatch_uid="audit-admin-change")
def _admin_changed(sender, instance, created, **kwargs):
    if created:
        _admin_entry(instance)


def _audited_log_actions(log_actions):
    """`LogEntryManager.log_actions`, also recording entries it bulk-creates: since Django 5.1 the admin
    logs a deletion of several objects with one bulk_create, which sends no post_save."""

    def wrapper(self, *args, **kwargs):
        entries = log_actions(self, *args, **kwargs)
        if isinstance(entries, list) and len(entries) > 1:
            for entry in entries:
                _admin_entry(entry)
        return entries

    wrapper.audited = True
    return wrapper


if not getattr(LogEntryManager.log_actions, "audited", False):
    LogEntryManager.log_actions = _audited_log_actions(LogEntryManager.log_actions)


@receiver(post_export, dispatch_uid="audit-admin-export")
def _admin_exported(sender, model, **kwargs):
    """django-import-export's export from an admin list (people, units, grids): what and in which format."""
    request = audit.current_request()
    file_format = ""
    try:
        formats = admin.site.get_model_admin(model).get_export_formats()
        file_format = formats[int(request.POST.get("format"))]().get_extension()
    except Exception:  # the row matters more than naming the format
        pass
    audit.record(Action.EXPORT, request=request,
                 data={"what": model._meta.label_lower, "format": file_format, "via": "admin",
                       "filters": audit.query_filters(request)})
