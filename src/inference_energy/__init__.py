"""ai-inference-energy: validate, build, query, release and diff the data package.

`inference_energy.load(path_or_url)` returns a release's tables as DataFrames after checking
its hashes. It is imported on first use so that `import inference_energy` (and so every CLI
command) does not pay for pandas.
"""


def __getattr__(name):
    if name == "load":
        from inference_energy.loader import load

        return load
    raise AttributeError(name)
