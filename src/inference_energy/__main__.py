from inference_energy.cli import main

raise SystemExit(main())
