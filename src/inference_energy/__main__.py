from inference_energy.cli import entry

entry()
