"""The app's screens: library, walk, outcome, transcript, help and the modal dialogs."""
