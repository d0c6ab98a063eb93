"""The web app: the organisations' reply form, the staff workspace, the demo mailbox."""
