"""The Jinja2 environment: user templates first, built-in second; strict about undefined values."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2

from ergen.errors import RenderError
from ergen.intent.model import RouterIntent
from ergen.platforms import platforms
from ergen.render.filters import cfg_text, finalize, make_secret_filter


def builtin_templates() -> Path:
    """The built-in template folder: inside the installed package, or the repository's ``templates/``."""
    packaged = resources.files("ergen") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    repo = Path(__file__).resolve().parents[3] / "templates"
    if repo.is_dir():
        return repo
    raise RenderError("ergen's built-in templates are missing from this installation")


@lru_cache(maxsize=1)
def _bytecode_cache():
    """Compiled templates kept between runs (a one-router render otherwise spends most of its time
    compiling), in $XDG_CACHE_HOME/ergen/jinja or ~/.cache/ergen/jinja. Jinja checks each entry against
    the template's source, so an edited template is compiled afresh. ERGEN_NO_CACHE=1 turns it off; a
    folder that cannot be written just means no cache."""
    import os
    import tempfile
    if os.environ.get("ERGEN_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "ergen", "jinja")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, delete=True)
        probe.close()
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(folder)


@lru_cache(maxsize=32)
def environment(platform: str, user_dir: str | None, show_secrets: bool) -> jinja2.Environment:
    if platform not in platforms():
        raise RenderError(f"unknown platform {platform!r}; known: {', '.join(platforms())}")
    search = []
    if user_dir:
        user = Path(user_dir)
        if not user.is_dir():
            raise RenderError("template folder not found", file=user_dir, field="--templates")
        if (user / platform).is_dir():
            search.append(str(user / platform))
    from ergen.platforms import family
    if family(platform) != platform and user_dir and (Path(user_dir) / family(platform)).is_dir():
        search.append(str(Path(user_dir) / family(platform)))
    search.append(str(builtin_templates() / family(platform)))   # junos-srx: the Junos templates
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False, finalize=finalize,
        auto_reload=False,   # templates do not change during a run: no stat() per include per router
    )
    env.filters["cfg_text"] = cfg_text
    env.filters["secret"] = make_secret_filter(show_secrets)
    return env


def render_router(intent: RouterIntent, *, templates: str | Path | None = None, show_secrets: bool = False,
                  version: str = "") -> str:
    """The whole config of one router as text. ``show_secrets`` False prints keys as ``<secret ref>``."""
    return render_template(intent, "main.j2", templates=templates, show_secrets=show_secrets, version=version)


def render_template(intent: RouterIntent, name: str, *, templates: str | Path | None = None,
                    show_secrets: bool = False, version: str = "") -> str:
    env = environment(intent.platform, str(templates) if templates else None, show_secrets)
    try:
        tpl = env.get_template(name)
        text = tpl.render(r=intent, version=version)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name} not found for platform {intent.platform}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"template for {intent.platform} uses something the intent does not have: "
                          f"{exc.message}", field=intent.name) from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"template syntax error: {exc.message}", file=exc.filename or exc.name,
                          field=f"line {exc.lineno}") from None
    except RenderError as exc:
        raise RenderError(exc.message, field=intent.name) from None
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"
