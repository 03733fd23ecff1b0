"""ai-inference-energy: validate, build, query, release and diff the data package."""
