"""Start RagArt Desktop."""
import multiprocessing

if __name__ == "__main__":   # the words model's child process imports this file too: it must not start the app
    multiprocessing.freeze_support()
    from ragart_desktop.app import main

    raise SystemExit(main())
