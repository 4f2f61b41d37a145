"""Personal data (个人信息保护, 数据保密性): what a reader who may not see it gets instead (masking),
and how it is kept at rest (field encryption, blind indexes).

Encryption. Reporters' names, phones and emails, co-managers' phones, Open311 emails and the
addresses of messages to reporters are model fields of `EncryptedCharField` / `EncryptedEmailField`:
Python reads and writes the text, the column holds

    "<key id>:<cipher>:<base64 of nonce (12 bytes) + ciphertext + tag (16 bytes)>"   e.g. "v1:sm4:…"

SM4-GCM (GB/T 32907, the national standard block cipher) where the `cryptography` build offers it,
AES-256-GCM otherwise (`PERSONAL_DATA_CIPHER`: auto, sm4 or aes). The master key is
`PERSONAL_DATA_KEY` (base64 of 32 random bytes); each cipher gets its own key from it by HKDF-SHA256
(SM4 takes 16 bytes). `PERSONAL_DATA_KEY_ID` names it on every value it writes, so a key can be
rotated: the new key gets a new id, the old one moves to `PERSONAL_DATA_KEYS_OLD` ("v1:<base64>,…")
and keeps reading what it wrote until `manage.py personal_data_rekey` has written it again. The
header ("v1:sm4") is authenticated with the value, so a ciphertext cannot be passed off under
another key or cipher. An empty value stays empty: "nothing given" and "erased" read the same.

Blind index. A ciphertext cannot be searched, so a field that is looked up by value (a phone, an
email) has a `BlindIndexField` beside it: HMAC-SHA256 of the normalised value
(`normalise_contact`) under a separate key, `PERSONAL_DATA_INDEX_KEY`, written whenever the row is
saved. `Case.objects.filter(reporter_phone_index=blind_index(phone))` finds a number without
storing it; without the key nobody can test guesses against the column. (Rotating the index key
means recomputing every index from the decrypted values; opt-outs, kept as an index only, would be
lost: keep it.)

Writes that bypass `Model.save`/`bulk_create` (`QuerySet.update`, raw SQL, COPY) must encrypt with
`encrypt` and set the index with `blind_index` themselves. Lookups on an encrypted column other than
`= ''` and `IS NULL` are refused: they could only ever find nothing.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from typing import NamedTuple

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django import forms
from django.apps import apps
from django.conf import settings
from django.core import checks, validators
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.models.expressions import DatabaseDefault
from django.db.models.lookups import Exact
from django.dispatch import receiver

# --- masking -------------------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; seven characters or fewer are starred whole (else nothing is hidden)."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_name(name: str) -> str:
    """王小明 → 王**; the first character only (a surname, or an initial)."""
    name = name.strip()
    return f"{name[0]}{'*' * (len(name) - 1)}" if len(name) > 1 else "*" * len(name)


def mask_email(address: str) -> str:
    """wang.xiuying@example.cn → w***@example.cn; without a domain, starred whole."""
    local, at, domain = address.partition("@")
    if not at or not local:
        return "*" * len(address)
    return f"{local[0]}***@{domain}"


def mask_contact(value: str) -> str:
    return mask_email(value) if "@" in value else mask_phone(value)


def normalise_contact(value: str) -> str:
    """The form a phone or an email is compared and indexed in: an email in lower case; a phone as
    its digits, without China's +86 / 0086 in front of a mobile number."""
    value = value.strip()
    if "@" in value:
        return value.lower()
    digits = re.sub(r"\D", "", value)
    return re.sub(r"^(0086|86)(1\d{10})$", r"\2", digits)


# --- keys ----------------------------------------------------------------------------------------

SM4, AES = "sm4", "aes"
CIPHERS = (SM4, AES)
NONCE_BYTES, TAG_BYTES = 12, 16
KEY_ID = re.compile(r"^[A-Za-z0-9]{1,8}$")
_STORED = re.compile(r"^([A-Za-z0-9]{1,8}):(sm4|aes):([A-Za-z0-9+/]+={0,2})$")


class PersonalDataError(ValueError):
    """A stored value that cannot be read: unknown key id, a cipher this build lacks, or a wrong key."""


def _decode_key(name: str, text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be the base64 of 32 random bytes")
    return key


@functools.cache
def sm4_available() -> bool:
    """Whether this `cryptography` build (its OpenSSL) offers SM4 in GCM mode."""
    try:
        encryptor = Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
        encryptor.update(b"x")
        encryptor.finalize()
    except (UnsupportedAlgorithm, AttributeError):
        return False
    return True


class _Keyring(NamedTuple):
    current: str  # the id new values are written under
    cipher: str  # the cipher new values are written with
    masters: dict[str, bytes]  # key id → master key
    index: bytes


@functools.cache
def _keyring(key: str, key_id: str, old: tuple[str, ...], index_key: str, choice: str) -> _Keyring:
    if not KEY_ID.match(key_id):
        raise ImproperlyConfigured("PERSONAL_DATA_KEY_ID must be 1 to 8 letters or digits, e.g. v1")
    masters = {key_id: _decode_key("PERSONAL_DATA_KEY", key)}
    for entry in old:
        old_id, colon, old_key = entry.partition(":")
        if not colon or not KEY_ID.match(old_id) or old_id in masters:
            raise ImproperlyConfigured("PERSONAL_DATA_KEYS_OLD is a list of <key id>:<base64 key>, each id once "
                                       "and not the current PERSONAL_DATA_KEY_ID")
        masters[old_id] = _decode_key("PERSONAL_DATA_KEYS_OLD", old_key)
    if choice == "auto":
        cipher = SM4 if sm4_available() else AES
    elif choice in CIPHERS:
        if choice == SM4 and not sm4_available():
            raise ImproperlyConfigured("PERSONAL_DATA_CIPHER is sm4 but this cryptography build offers no SM4")
        cipher = choice
    else:
        raise ImproperlyConfigured("PERSONAL_DATA_CIPHER must be auto, sm4 or aes")
    return _Keyring(current=key_id, cipher=cipher, masters=masters,
                    index=_decode_key("PERSONAL_DATA_INDEX_KEY", index_key))


_current: list[_Keyring] = []  # the keyring of the settings in force; emptied when a setting changes


def keyring() -> _Keyring:
    """The keys as the settings give them (read once, again after a PERSONAL_DATA_* setting changes:
    reading five settings per value would cost more than the cipher)."""
    if not _current:
        _current.append(_keyring(settings.PERSONAL_DATA_KEY, settings.PERSONAL_DATA_KEY_ID,
                                 tuple(settings.PERSONAL_DATA_KEYS_OLD), settings.PERSONAL_DATA_INDEX_KEY,
                                 settings.PERSONAL_DATA_CIPHER))
    return _current[0]


@receiver(setting_changed)
def _forget_keyring(*, setting: str, **kwargs) -> None:
    if setting.startswith("PERSONAL_DATA_"):
        _current.clear()


@checks.register(checks.Tags.security)
def check_personal_data_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check` (and migrate, runserver) says at once when a key is malformed, rather than the
    first page that reads a phone."""
    try:
        keyring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="haidian.privacy.E001")]
    return []


def cipher_in_use() -> str:
    """"sm4" or "aes": what new values are written with on this machine."""
    return keyring().cipher


@functools.cache
def _cipher_key(master: bytes, cipher: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=16 if cipher == SM4 else 32, salt=None,
                info=f"haidian personal data {cipher}-gcm".encode()).derive(master)


# --- encryption ----------------------------------------------------------------------------------

def _seal(cipher: str, key: bytes, nonce: bytes, data: bytes, header: bytes) -> bytes:
    if cipher == AES:
        return AESGCM(key).encrypt(nonce, data, header)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, header: bytes) -> bytes:
    if cipher == AES:
        return AESGCM(key).decrypt(nonce, sealed, header)
    if not sm4_available():
        raise PersonalDataError("this value is SM4-encrypted and this cryptography build offers no SM4")
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(header)
    return decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()


def encrypt(text: str) -> str:
    """The stored form of `text` ("" stays "")."""
    if not text:
        return text
    ring = keyring()
    header = f"{ring.current}:{ring.cipher}"
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(ring.cipher, _cipher_key(ring.masters[ring.current], ring.cipher), nonce, text.encode(),
                   header.encode())
    return f"{header}:{base64.b64encode(nonce + sealed).decode()}"


def is_encrypted(value: str | None) -> bool:
    return bool(value) and _STORED.match(value) is not None


def key_id_of(value: str) -> str | None:
    found = _STORED.match(value or "")
    return found.group(1) if found else None


def decrypt(value: str) -> str:
    """The text of a stored value ("" stays ""); PersonalDataError when it cannot be read."""
    if not value:
        return value
    found = _STORED.match(value)
    if found is None:
        raise PersonalDataError("not an encrypted value (a plain-text row the migration did not convert?)")
    key_id, cipher, body = found.groups()
    master = keyring().masters.get(key_id)
    if master is None:
        raise PersonalDataError(f"no key {key_id!r}: add it to PERSONAL_DATA_KEYS_OLD")
    raw = base64.b64decode(body)
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise PersonalDataError("a truncated encrypted value")
    try:
        data = _open(cipher, _cipher_key(master, cipher), raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                     f"{key_id}:{cipher}".encode())
    except InvalidTag:
        raise PersonalDataError(f"value under key {key_id!r} does not decrypt: wrong key, or altered") from None
    return data.decode()


def blind_index(value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised phone or email; "" for no value."""
    normalised = normalise_contact(value or "")
    if not normalised:
        return ""
    return hmac.new(keyring().index, normalised.encode(), hashlib.sha256).hexdigest()


# --- model fields --------------------------------------------------------------------------------

class _EmptyOnlyExact(Exact):
    """`field = ''` (no value, or erased) works; `field = 'text'` cannot match a random ciphertext."""

    def get_prep_lookup(self):
        if self.rhs_is_direct_value() and self.rhs not in ("", None):
            raise ValueError(f"{self.lhs.output_field.name} is encrypted: look it up by its blind index")
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A CharField kept encrypted at rest (a text column). `max_length` limits the text, as a
    CharField's does; the stored value is longer."""

    description = "Text encrypted at rest"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # FieldError: Unsupported lookup


class EncryptedEmailField(EncryptedCharField):
    default_validators = [validators.validate_email]
    description = "Email address encrypted at rest"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.EmailField, **kwargs})


class BlindIndexField(models.CharField):
    """The blind index of the field `source` (a phone or an email), set whenever the row is saved
    (`Model.save`, `bulk_create`). Not editable; "" when the source is empty."""

    description = "Blind index (HMAC-SHA256) of another field"

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("editable", False), ("default", "")):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        source = getattr(model_instance, self.source)
        # A source left to its db_default ("") is still a DatabaseDefault expression here.
        value = blind_index("" if isinstance(source, DatabaseDefault) else (source or ""))
        setattr(model_instance, self.attname, value)
        return value


# --- converting existing rows (data migrations, re-keying) ---------------------------------------

BATCH_ROWS = 2000


def convert_rows(connection, table: str, columns: dict[str, str | None], *, to: str,
                 batch: int = BATCH_ROWS) -> int:
    """Rewrite the columns of every row of `table`, `batch` rows at a time by id: `to="encrypted"`
    encrypts plain text (and fills the blind index column named beside it, if any), `"plain"`
    decrypts (a migration's way back), `"current"` re-encrypts values written under an older key id
    or cipher. Values already in the wanted form are left alone, so a run that stopped can run
    again. Portable SQL (PostgreSQL and the demo's SQLite). Returns the rows changed."""
    quote = connection.ops.quote_name
    names = list(columns)
    ring = keyring()
    select = (f"SELECT id, {', '.join(quote(n) for n in names)} FROM {quote(table)} "
              f"WHERE id > %s ORDER BY id LIMIT %s")
    sets = [f"{quote(n)} = %s" for n in names] + [f"{quote(i)} = %s" for i in columns.values() if i]
    update = f"UPDATE {quote(table)} SET {', '.join(sets)} WHERE id = %s"
    changed, last = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [last, batch])
            rows = cursor.fetchall()
            if not rows:
                return changed
            last = rows[-1][0]
            updates = []
            for pk, *values in rows:
                new = [_converted(value or "", to, ring) for value in values]
                if new == [value or "" for value in values]:
                    continue
                plain = [decrypt(value) if is_encrypted(value) else value for value in new]
                indexes = [blind_index(plain[n]) if to != "plain" else ""
                           for n, index in enumerate(columns.values()) if index]
                updates.append([*new, *indexes, pk])
            if updates:
                cursor.executemany(update, updates)
                changed += len(updates)


def _converted(value: str, to: str, ring: _Keyring) -> str:
    if not value:
        return value
    if to == "plain":
        return decrypt(value) if is_encrypted(value) else value
    if not is_encrypted(value):
        return encrypt(value)
    if to == "current" and not value.startswith(f"{ring.current}:{ring.cipher}:"):
        return encrypt(decrypt(value))
    return value


def encrypting(table: str, columns: dict[str, str | None]):
    """RunPython functions (forward, backward) converting `table`'s columns in a data migration."""

    def forward(apps, schema_editor):
        convert_rows(schema_editor.connection, table, columns, to="encrypted")

    def backward(apps, schema_editor):
        convert_rows(schema_editor.connection, table, columns, to="plain")

    return forward, backward


def encrypted_columns() -> list[tuple[str, dict[str, str | None]]]:
    """(table, {encrypted column: its blind index column or None}) of every installed model."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.local_fields if isinstance(f, EncryptedCharField)]
        if not fields:
            continue
        indexes = {f.source: f.column for f in model._meta.local_fields if isinstance(f, BlindIndexField)}
        found.append((model._meta.db_table, {f.column: indexes.get(f.name) for f in fields}))
    return found
