"""Pages: base templates, static assets, UI components, views per role. Calls services and selectors."""
