"""Render RouterIntent objects into vendor configs with Jinja2 templates."""

from ergen.render.environment import builtin_templates, render_router

__all__ = ["builtin_templates", "render_router"]
