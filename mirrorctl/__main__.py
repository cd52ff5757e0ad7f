from mirrorctl.cli import main

raise SystemExit(main())
