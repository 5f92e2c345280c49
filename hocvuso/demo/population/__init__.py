"""A synthetic province for demos and benchmarks (`manage.py generate_population`); see generator.py."""
