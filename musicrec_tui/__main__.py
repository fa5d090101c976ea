from musicrec_tui.cli import main

raise SystemExit(main())
