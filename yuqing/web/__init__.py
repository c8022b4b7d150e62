"""The console and the JSON API: assembly, authentication, templates, i18n. Pages live with
the stage they show; this package holds only what all of them share."""
