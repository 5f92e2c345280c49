"""A synthetic province for demos and benchmarks (`manage.py generate_population`): generator.py is the service;
shares.py the census shares it draws from, plan.py its villages, quotas and organisations, people.py the rows of
its people, writing.py how they reach the database."""
