"""Seed data: the YAML file that describes service owners, reportees and templates.

The embedded default seed (``altinn_so/seed/default.yaml``) makes ``serve``
work with no arguments. ``--seed FILE`` adds files on top of it (an entry with
the same key replaces the default one); ``--no-default-seed`` starts from the
given files alone. The format is documented in ``docs/seed-format.md``.

Services add sections of their own (``AltinnService.seed_sections``) and their own additions to the default
(``AltinnService.default_seed``): the functions here take the services (any objects with those two fields) and
import none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import yaml
from lxml import etree

from .domain.catalog import AgencySystem, NotificationTemplate, Service, ServiceOwner
from .domain.registry import Organisation, Person, SelfRegisteredUser
from .domain.values import NOT_XML
from .encryption import rsa_certificate

SEED_VERSION = 1
# The seed file's own top-level sections; services add theirs (``AltinnService.seed_sections``).
CORE_SECTIONS = frozenset({"version", "service_owners", "templates", "persons", "organisations", "users"})


class SeedError(ValueError):
    """A seed file is malformed; the message names the file and the entry."""


@dataclass
class Seed:
    owners: dict[str, ServiceOwner] = field(default_factory=dict)
    systems: dict[str, AgencySystem] = field(default_factory=dict)
    services: dict[tuple[str, int], Service] = field(default_factory=dict)
    templates: dict[str, NotificationTemplate] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, SelfRegisteredUser] = field(default_factory=dict)
    # The services' sections: section name -> the entities by their key.
    sections: dict[str, dict] = field(default_factory=dict)

    def merged_with(self, other: "Seed") -> "Seed":
        """``other`` on top of this seed: its entries replace ours with the same key."""
        merged = Seed()
        for name in _CORE_FIELDS:
            getattr(merged, name).update(getattr(self, name))
            getattr(merged, name).update(getattr(other, name))
        for name in {**self.sections, **other.sections}:
            merged.sections[name] = {**self.sections.get(name, {}), **other.sections.get(name, {})}
        return merged

    def counts(self) -> dict[str, int]:
        """How many entities of each kind, the services' sections included."""
        return {**{name: len(getattr(self, name)) for name in _CORE_FIELDS},
                **{name: len(entities) for name, entities in self.sections.items()}}

    def check_references(self, source: str = "seed", *, known_owners: set[str] = frozenset(),
                         known_organisations: set[str] = frozenset(), services: Iterable = ()) -> None:
        """Every reference names an entity of this seed, or one of the ``known`` ones (already stored)."""
        owners = set(self.owners) | set(known_owners)
        organisations = set(self.organisations) | set(known_organisations)
        for system in self.systems.values():
            if system.owner not in owners:
                raise SeedError(f"{source}: system {system.username!r} belongs to unknown service owner "
                                f"{system.owner!r}")
        for service in self.services.values():
            if service.owner not in owners:
                raise SeedError(f"{source}: service {service.code}/{service.edition} belongs to unknown "
                                f"service owner {service.owner!r}")
            owner = self.owners.get(service.owner)
            if service.encrypted and owner is not None and not owner.encryption_certificate:
                raise SeedError(f"{source}: service {service.code}/{service.edition} is encrypted, but its service "
                                f"owner {service.owner} has no encryption certificate (encryption_certificate_file: "
                                "see docs/seed-format.md)")
        for template in self.templates.values():
            if template.owner and template.owner not in owners:
                raise SeedError(f"{source}: template {template.name!r} belongs to unknown service owner "
                                f"{template.owner!r}")
        for organisation in self.organisations.values():
            if organisation.parent and organisation.parent not in organisations:
                raise SeedError(f"{source}: organisation {organisation.orgno} has unknown parent {organisation.parent}")
        for name, section in sections_of(services).items():
            if section.owner is None:
                continue
            for key, entity in self.sections.get(name, {}).items():
                if section.owner(entity) not in owners:
                    raise SeedError(f"{source}: {name} entry {key!r} belongs to unknown service owner "
                                    f"{section.owner(entity)!r}")


_CORE_FIELDS = ("owners", "systems", "services", "templates", "persons", "organisations", "users")


def sections_of(services: Iterable = ()) -> Mapping:
    """The seed sections ``services`` read, by name."""
    return {section.name: section for service in services for section in service.seed_sections}


def parse_seed(data: dict | None, source: str = "seed", services: Iterable = (), base=None) -> Seed:
    """A seed file's data; ``services`` may add sections of their own. ``base`` is the folder (a Path, or a
    package resource) a form's ``xsd`` file is read from: the seed file's own."""
    data = data or {}
    if not isinstance(data, dict):
        raise SeedError(f"{source}: the top level must be a mapping")
    sections = sections_of(services)
    known = CORE_SECTIONS | set(sections)
    unknown = set(data) - known
    if unknown:
        raise SeedError(f"{source}: unknown top-level keys {sorted(unknown, key=str)}; expected {sorted(known)}")
    version = data.get("version", SEED_VERSION)
    if version != SEED_VERSION:
        raise SeedError(f"{source}: seed format version {version} is not supported "
                        f"(this emulator reads {SEED_VERSION})")
    _check_text(data, source, "")

    seed = Seed()
    for entry in _entries(data, "service_owners", source):
        entry = _with_encryption_certificate(entry, base, source)
        owner = _build(ServiceOwner.from_dict, _with_ids(entry, "orgno"), source, "service owner")
        seed.owners[owner.code] = owner
        for system in _nested(entry, "systems", source):
            system = _with_ssh_public_key_file(system, base, source)
            built = _build(lambda d, code=owner.code: AgencySystem.from_dict(d, owner=code), system, source, "system")
            seed.systems[built.username] = built
        for service in _nested(entry, "services", source):
            service = _with_schemas(service, base, source)
            built = _build(Service.from_dict, {"owner": owner.code, **service}, source, "service")
            _check_schemas(built, source)
            seed.services[(built.code, built.edition)] = built
    for entry in _entries(data, "templates", source):
        template = _build(NotificationTemplate.from_dict, entry, source, "template")
        seed.templates[template.name] = template
    for entry in _entries(data, "persons", source):
        person = _build(Person.from_dict, _with_ids(entry, "ssn", source=source), source, "person")
        seed.persons[person.ssn] = person
    for entry in _entries(data, "organisations", source):
        organisation = _build(Organisation.from_dict, _with_ids(entry, "orgno", "parent"), source, "organisation")
        seed.organisations[organisation.orgno] = organisation
    for entry in _entries(data, "users", source):
        user = _build(SelfRegisteredUser.from_dict, entry, source, "user")
        seed.users[user.username] = user
    for name, section in sections.items():
        entries = _entries(data, name, source)
        if entries:
            built = (_build(section.build, entry, source, f"{name} entry") for entry in entries)
            seed.sections[name] = {section.key(entity): entity for entity in built}
    return seed


def read_seed_text(text: str, source: str):
    """The data of a seed file's text (YAML, or JSON, which YAML reads too)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SeedError(f"{source}: not valid YAML or JSON: {exc}") from None
    except RecursionError:  # PyYAML reads nested collections recursively
        raise SeedError(f"{source}: nested too deeply to be seed data") from None


def load_seed_file(path: str | Path, services: Iterable = ()) -> Seed:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"{path}: cannot read seed file: {exc.strerror}") from exc
    return parse_seed(read_seed_text(text, str(path)), str(path), services, base=path.parent)


def default_seed() -> Seed:
    folder = resources.files("altinn_so").joinpath("seed")
    text = folder.joinpath("default.yaml").read_text(encoding="utf-8")
    return parse_seed(yaml.safe_load(text), "embedded default seed", base=folder)


def compose_seed(files: list[str | Path] = (), *, include_default: bool = True, services: Iterable = ()) -> Seed:
    """The embedded default (and, with it, each service's additions to it), then ``files`` on top."""
    services = tuple(services)
    seed = Seed()
    if include_default:
        seed = default_seed()
        for service in services:
            if service.default_seed is not None:
                seed = seed.merged_with(load_seed_file(service.default_seed, services))
    for path in files:
        seed = seed.merged_with(load_seed_file(path, services))
    seed.check_references("seed" if not files else ", ".join(str(f) for f in files), services=services)
    return seed


def apply_seed(seed: Seed, catalog, registry) -> None:
    """Write every seed entity into the store (replacing entities with the same key)."""
    for owner in seed.owners.values():
        catalog.put_owner(owner)
    for system in seed.systems.values():
        catalog.put_system(system)
    for service in seed.services.values():
        catalog.put_service(service)
    for template in seed.templates.values():
        catalog.put_template(template)
    for person in seed.persons.values():
        registry.put_person(person)
    for organisation in seed.organisations.values():
        registry.put_organisation(organisation)
    for user in seed.users.values():
        registry.put_user(user)


def _with_schemas(service: dict, base, source: str) -> dict:
    """A service entry whose forms' ``xsd`` files (paths relative to the seed file) are read into ``schema``."""
    forms = service.get("forms")
    if not isinstance(forms, list) or not any(isinstance(f, dict) and "xsd" in f for f in forms):
        return service
    read = []
    for form in forms:
        if not isinstance(form, dict) or "xsd" not in form:
            read.append(form)
            continue
        form = dict(form)
        path = form.pop("xsd")
        if base is None:
            raise SeedError(f"{source}: form {form.get('data_format_id')!r} of service {_label(service)} names an "
                            f"xsd file, which only a seed file can: give the schema's text as 'schema' instead")
        if not isinstance(path, str) or not path or Path(path).is_absolute() or ".." in Path(path).parts:
            raise SeedError(f"{source}: xsd {path!r} must be a path inside the seed file's folder")
        try:
            form["schema"] = base.joinpath(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SeedError(f"{source}: cannot read the xsd file {path!r} of form {form.get('data_format_id')!r}: "
                            f"{getattr(exc, 'strerror', None) or exc}") from None
        read.append(form)
    return {**service, "forms": read}


def _with_ssh_public_key_file(system, base, source: str):
    """An agency system entry whose ``ssh_public_key_file`` (an OpenSSH ``.pub`` or authorized_keys file beside
    the seed file) adds its key lines to ``ssh_public_keys``."""
    if not isinstance(system, dict) or "ssh_public_key_file" not in system:
        return system
    system = dict(system)
    path = system.pop("ssh_public_key_file")
    label = repr(system.get("username"))
    if base is None:
        raise SeedError(f"{source}: system {label} names an SSH public key file, which only a seed file can: "
                        "give the key lines as 'ssh_public_keys' instead")
    text = _read_beside(base, path, source, "ssh_public_key_file",
                        f"the SSH public key file {path!r} of system {label}")
    listed = system.get("ssh_public_keys") or []
    listed = [listed] if isinstance(listed, str) else list(listed)
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return {**system, "ssh_public_keys": listed + lines}


def _read_beside(base, path, source: str, key: str, what: str) -> str:
    """The ASCII text of the file ``path`` that a seed file's ``key`` names, inside the seed file's folder."""
    if not isinstance(path, str) or not path or Path(path).is_absolute() or ".." in Path(path).parts:
        raise SeedError(f"{source}: {key} {path!r} must be a path inside the seed file's folder")
    try:
        return base.joinpath(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{source}: cannot read {what}: {getattr(exc, 'strerror', None) or exc}") from None


def _with_encryption_certificate(owner: dict, base, source: str) -> dict:
    """A service owner entry whose ``encryption_certificate_file`` (a PEM beside the seed file) is read into
    ``encryption_certificate``, which must hold an RSA key (the download queue encrypts to it)."""
    if "encryption_certificate_file" not in owner:
        return owner
    owner = dict(owner)
    path = owner.pop("encryption_certificate_file")
    label = _label(owner)
    if base is None:
        raise SeedError(f"{source}: service owner {label} names an encryption certificate file, which only a seed "
                        "file can: give the PEM text as 'encryption_certificate' instead")
    pem = _read_beside(base, path, source, "encryption_certificate_file",
                       f"the encryption certificate {path!r} of service owner {label}")
    try:
        rsa_certificate(pem)
    except ValueError as exc:
        raise SeedError(f"{source}: the encryption certificate {path!r} of service owner {label} is not usable: "
                        f"{exc}") from None
    return {**owner, "encryption_certificate": pem}


def _check_schemas(service: Service, source: str) -> None:
    """Every form's schema is an XML Schema lxml can compile (a broken one is the seed's error, not a call's)."""
    for form in service.forms:
        if form.schema is None:
            continue
        try:
            etree.XMLSchema(etree.fromstring(form.schema.encode("utf-8"),
                                             etree.XMLParser(resolve_entities=False, no_network=True)))
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
            raise SeedError(f"{source}: the schema of form {form.data_format_id}/{form.data_format_version} of "
                            f"service {service.code}/{service.edition} is not a usable XML Schema: {exc}") from None


def _entries(data: dict, key: str, source: str) -> list[dict]:
    entries = data.get(key) or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SeedError(f"{source}: '{key}' must be a list of mappings")
    return entries


def _nested(entry: dict, key: str, source: str) -> list[dict]:
    items = entry.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SeedError(f"{source}: '{key}' of service owner {_label(entry)} must be a list of mappings")
    return items


def _with_ids(entry: dict, *keys: str, source: str = "") -> dict:
    """Identity numbers must be strings: YAML reads 0-prefixed digits as octal integers."""
    entry = dict(entry)
    for key in keys:
        value = entry.get(key)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            if key == "ssn":
                raise SeedError(f"{source}: national identity number {value} must be quoted (\"...\") "
                                "so YAML keeps its leading zeros")
            entry[key] = str(value)
    return entry


def _check_text(node, source: str, where: str) -> None:
    """Seed text ends up in SOAP replies (names, senders, rendered notices): none may hold a character XML
    cannot carry (YAML writes them as "\\0", say)."""
    if isinstance(node, str):
        if NOT_XML.search(node):
            raise SeedError(f"{source}: {where or 'a value'} holds a character XML cannot carry: {node!r}")
    elif isinstance(node, dict):
        for key, value in node.items():
            _check_text(key, source, f"{where}.{key}".lstrip(".") if isinstance(key, str) else where)
            _check_text(value, source, f"{where}.{key}".lstrip("."))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_text(value, source, f"{where}[{index}]")


def _build(factory, entry: dict, source: str, what: str):
    try:
        return factory(entry)
    except SeedError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise SeedError(f"{source}: {what} {_label(entry)}: {detail}") from exc


def _label(entry: dict) -> str:
    for key in ("code", "username", "name", "ssn", "orgno"):
        if key in entry:
            return repr(entry[key])
    return "(unnamed)"
