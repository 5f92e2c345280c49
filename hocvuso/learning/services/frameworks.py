"""Load skills frameworks (Thông tư 02/2025/TT-BGDĐT, Quyết định 757/QĐ-BKHCN) from their YAML files."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.core.services import record_audit

from ..course_files import CourseFormatError, at, clean_text, content_hash, load_yaml, to_json
from ..models import Competence, Domain, Framework, Level, TargetGroup

# A key "maps_to_tt02" lists competence codes of this framework.
MAPPING_TARGETS = {"maps_to_tt02": "tt02-2025"}
_OWN_KEYS = {"id", "title_vi", "title_en", "version", "source", "levels", "tiers", "domains"}


@dataclass(frozen=True)
class FrameworkLoad:
    """One framework file's outcome: the framework and "created", "updated" or "unchanged"."""

    framework: Framework
    status: str


def _text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def _mapping_codes(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(framework, str(code)) for key, framework in MAPPING_TARGETS.items() for code in (item.get(key) or [])]


def _check(doc: Any, where: str) -> list[str]:
    problems = []
    if not isinstance(doc, dict):
        return [f"{where}: " + _("phải là các cặp khóa: giá trị")]
    for key in ("id", "title_vi"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            problems.append(f"{at(where, doc, key)}: " + _("thiếu hoặc để trống"))
    for index, domain in enumerate(doc.get("domains") or []):
        if not isinstance(domain, dict) or not isinstance(domain.get("code"), str):
            problems.append(f"{at(where, domain, 'domains')}: " + _("miền thứ %(n)s thiếu mã") % {"n": index + 1})
            continue
        for competence in domain.get("competences") or []:
            if not isinstance(competence, dict) or not isinstance(competence.get("code"), str):
                problems.append(f"{at(where, competence, 'competences')}: " + _("năng lực thiếu mã (trong ngoặc kép)"))
    for level in doc.get("levels") or []:
        if (
            not isinstance(level, dict)
            or not isinstance(level.get("code"), str)
            or not isinstance(level.get("step"), int)
        ):
            problems.append(f"{at(where, level, 'levels')}: " + _("bậc cần code và step"))
    for group in doc.get("groups") or []:
        if not isinstance(group, dict) or group.get("code") not in TargetGroup.values:
            problems.append(f"{at(where, group, 'groups')}: " + _("nhóm đối tượng không hợp lệ"))
            continue
        for skill_group in group.get("skill_groups") or []:
            if not isinstance(skill_group, dict) or not isinstance(skill_group.get("code"), str):
                problems.append(f"{at(where, skill_group, 'skill_groups')}: " + _("nhóm kỹ năng thiếu mã"))
                continue
            for skill in skill_group.get("skills") or []:
                if not isinstance(skill, dict) or not isinstance(skill.get("code"), str):
                    problems.append(f"{at(where, skill, 'skills')}: " + _("kỹ năng thiếu mã (trong ngoặc kép)"))
    return problems


def _load_one(doc: dict[str, Any], digest: str) -> FrameworkLoad:
    framework = Framework.objects.filter(code=doc["id"]).first()
    if framework is not None and framework.content_hash == digest:
        return FrameworkLoad(framework, "unchanged")
    status = "created" if framework is None else "updated"
    tiers = {tier.get("code"): _text(tier.get("name_vi")) for tier in doc.get("tiers") or [] if isinstance(tier, dict)}
    framework, _created = Framework.objects.update_or_create(
        code=doc["id"],
        defaults={
            "title": _text(doc["title_vi"]),
            "title_en": _text(doc.get("title_en")),
            "version": str(doc.get("version") or ""),
            "source": to_json(doc.get("source") or {}),
            "details": to_json({key: value for key, value in doc.items() if key not in _OWN_KEYS}),
            "content_hash": digest,
        },
    )
    for level in doc.get("levels") or []:
        Level.objects.update_or_create(
            framework=framework,
            code=level["code"],
            defaults={
                "step": level["step"],
                "tier": str(level.get("tier") or ""),
                "tier_name": tiers.get(level.get("tier"), ""),
                "name": _text(level.get("name_vi")),
                "name_en": _text(level.get("name_en")),
                "digcomp_level": level.get("digcomp_level"),
            },
        )
    position = 0
    for domain_position, domain in enumerate(doc.get("domains") or []):
        digcomp = domain.get("digcomp") or {}
        row, _created = Domain.objects.update_or_create(
            framework=framework,
            target_group="",
            code=domain["code"],
            defaults={
                "name": _text(domain.get("name_vi")),
                "name_en": _text(domain.get("name_en")),
                "digcomp_code": str(digcomp.get("code") or ""),
                "digcomp_name": _text(digcomp.get("name")),
                "unverified": bool(domain.get("unverified")),
                "note": _text(domain.get("note")),
                "position": domain_position,
            },
        )
        for competence in domain.get("competences") or []:
            position += 1
            _competence(framework, row, competence, competence["code"], position)
    domain_position = len(doc.get("domains") or [])
    for group in doc.get("groups") or []:
        skill_groups = list(group.get("skill_groups") or [])
        household = group.get("household_five_skills")
        if isinstance(household, dict):
            skill_groups.append(
                {
                    "code": "household",
                    "name_vi": _("5 kỹ năng số cơ bản của mỗi hộ gia đình"),
                    "unverified": household.get("unverified"),
                    "note": household.get("note"),
                    "skills": household.get("skills") or [],
                }
            )
        for skill_group in skill_groups:
            domain_position += 1
            row, _created = Domain.objects.update_or_create(
                framework=framework,
                target_group=group["code"],
                code=skill_group["code"],
                defaults={
                    "name": _text(skill_group.get("name_vi")),
                    "name_en": _text(skill_group.get("name_en")),
                    "unverified": bool(skill_group.get("unverified")),
                    "note": _text(skill_group.get("note")),
                    "position": domain_position,
                },
            )
            for skill in skill_group.get("skills") or []:
                position += 1
                _competence(framework, row, skill, f"{group['code']}/{skill['code']}", position)
    return FrameworkLoad(framework, status)


def _competence(framework: Framework, domain: Domain, item: dict[str, Any], key: str, position: int) -> None:
    digcomp = item.get("digcomp") or {}
    Competence.objects.update_or_create(
        framework=framework,
        key=key,
        defaults={
            "domain": domain,
            "code": item["code"],
            "name": _text(item.get("name_vi")),
            "name_en": _text(item.get("name_en")),
            "digcomp_code": str(digcomp.get("code") or ""),
            "digcomp_name": _text(digcomp.get("name")),
            "unverified": bool(item.get("unverified")),
            "note": _text(item.get("note")),
            "position": position,
        },
    )


def _link_mappings(documents: list[dict[str, Any]]) -> None:
    """Resolve every ``maps_to_…`` list to the competences of the framework it names (after all are loaded)."""
    for doc in documents:
        framework = Framework.objects.get(code=doc["id"])
        by_key = {competence.key: competence for competence in framework.competences.all()}
        for group in doc.get("groups") or []:
            skill_groups = list(group.get("skill_groups") or [])
            household = group.get("household_five_skills")
            if isinstance(household, dict):
                skill_groups.append({"skills": household.get("skills") or []})
            for skill_group in skill_groups:
                for skill in skill_group.get("skills") or []:
                    competence = by_key[f"{group['code']}/{skill['code']}"]
                    targets = [
                        Competence.objects.filter(framework__code=target, key=code).first()
                        for target, code in _mapping_codes(skill)
                    ]
                    competence.maps_to.set([target for target in targets if target is not None])


@transaction.atomic
def load_frameworks(*, path: str | Path, actor: Any) -> list[FrameworkLoad]:
    """Load every framework YAML file in the folder ``path`` (or the one file ``path``): domains, competences,
    levels, the per-group skills of Quyết định 757 and their mapping to Thông tư 02. Idempotent by content
    hash; competences dropped from a file are kept (lessons and questions may refer to them). Returns one
    FrameworkLoad per file. Raises CourseFormatError naming the file and line of every problem."""
    root = Path(path)
    files = sorted(root.glob("*.yaml")) if root.is_dir() else [root]
    documents: list[tuple[dict[str, Any], str]] = []
    problems: list[str] = []
    for file in files:
        where = f"frameworks/{file.name}"
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{where}: {error}")
            continue
        doc = load_yaml(text, where)
        found = _check(doc, where)
        problems.extend(found)
        if not found:
            documents.append((doc, content_hash(to_json(doc))))
    if problems:
        raise CourseFormatError(problems)
    # Thông tư 02 first: other frameworks map onto it.
    documents.sort(key=lambda item: 0 if item[0]["id"] in MAPPING_TARGETS.values() else 1)
    results = [_load_one(doc, digest) for doc, digest in documents]
    _link_mappings([doc for doc, _digest in documents])
    for result in results:
        if result.status != "unchanged":
            record_audit(
                actor=actor,
                action=f"learning.framework_{result.status}",
                target=result.framework,
                details={"hash": result.framework.content_hash},
            )
    return results
