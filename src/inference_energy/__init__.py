"""ai-inference-energy: validate, build, query, release and diff the data package.

`inference_energy.load(path_or_url)` returns a release's tables as DataFrames after checking
its hashes; `pandas_dtypes(schema)` and `polars_schema(schema)` give a Table Schema's
read_csv types. They are imported on first use so that `import inference_energy` (and so every CLI
command) does not pay for pandas.
"""


def __getattr__(name):
    if name in ("load", "pandas_dtypes", "polars_schema"):
        from inference_energy import loader

        return getattr(loader, name)
    raise AttributeError(name)
