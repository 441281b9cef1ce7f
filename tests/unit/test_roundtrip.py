"""Every platform × scenario: the rendered config, parsed back, says exactly what the intent says.

A template that drops or garbles a field fails here (the broken-template tests prove the check bites).
"""

from __future__ import annotations

import pytest

import ergen
from ergen.errors import RenderError
from ergen.roundtrip import IGNORE, compare, expected, parse
from scenarios import cases, plan_case, unsupported_cases


def roundtrip(result, templates=None):
    diffs = {}
    for intent in result.intents:
        text = ergen.render_configs([intent], templates=templates, show_secrets=True)[intent.name]
        got = parse(intent.platform, text)
        d = compare(expected(intent), got, ignore=IGNORE[intent.platform])
        if d:
            diffs[intent.name] = d
    return diffs


@pytest.mark.parametrize("scenario,platform", cases(), ids=[f"{p}-{s}" for s, p in cases()])
def test_roundtrip(scenario, platform):
    result = plan_case(scenario, platform)
    assert result.intents
    assert roundtrip(result) == {}


BROKEN = {
    # platform: (section file, text that replaces it) — each drops or garbles something
    "ios-xe": ("_session.j2", "{{ indent }}neighbor {{ n.address }} remote-as {{ n.remote_as }}\n", ("md5", "bfd")),
    "frr": ("bgp.j2", "{% for b in r.bgp %}router bgp {{ r.bgp_asn }}\n"
                      "{% for n in b.neighbors %} neighbor {{ n.address }} remote-as 1{{ n.remote_as }}\n"
                      "{% endfor %}exit\n{% endfor %}", ("md5", "remote_as", "policy_in", "max_prefix")),
}


@pytest.mark.parametrize("platform", sorted(BROKEN))
def test_a_broken_template_fails_the_roundtrip(tmp_path, platform):
    section, text, what = BROKEN[platform]
    (tmp_path / platform).mkdir()
    (tmp_path / platform / section).write_text(text)
    result = plan_case("private-microsoft", platform)
    diffs = roundtrip(result, templates=tmp_path)
    assert diffs, "a template without MD5, BFD and policies passed the round trip"
    flat = " ".join(" ".join(v) for v in diffs.values())
    for field in what:
        assert f" {field}" in flat, (field, flat[:300])


@pytest.mark.parametrize("scenario,platform,feature", unsupported_cases(),
                         ids=[f"{p}-{f}" for _, p, f in unsupported_cases()])
def test_unsupported_features_are_refused(scenario, platform, feature):
    assert scenario is not None, f"no scenario uses {feature}: the refusal of {platform} is untested"
    from ergen.pipeline import RulesFailed
    from ergen.platforms import features, platforms

    with pytest.raises(RulesFailed) as exc:
        plan_case(scenario, platform)
    lines = [p.line() for p in exc.value.report.errors]
    title = features()[feature]
    assert any("ER801" in l and f"({platform})" in l and title in l and platforms()[platform].unsupported[feature] in l
               for l in lines), lines


@pytest.mark.parametrize("platform", ["ios-xe", "junos", "eos", "nx-os", "ios-xr", "frr"])
@pytest.mark.parametrize("section", ["bgp.j2", "filters.j2", "interfaces.j2"])
def test_an_emptied_section_fails_the_roundtrip(tmp_path, platform, section):
    """On every platform, a user template folder that blanks one section is caught."""
    from scenarios import rendered_platforms
    if platform not in rendered_platforms():
        pytest.fail(f"templates/{platform} is missing")
    (tmp_path / platform).mkdir()
    (tmp_path / platform / section).write_text("{# emptied on purpose #}\n")
    result = plan_case("private-microsoft", platform)
    diffs = roundtrip(result, templates=tmp_path)
    assert set(diffs) == {"ams-er-r1", "ams-er-r2"}, diffs
