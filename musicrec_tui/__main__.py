from musicrec_tui.cli import main

if __name__ == "__main__":  # a spawned import worker must not start the app again
    raise SystemExit(main())
