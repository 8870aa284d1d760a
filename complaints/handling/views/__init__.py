"""The complaint pages (complaints/urls.py): the list (`listing`), the intake form with the
live grade (`intake`), and a complaint's page with its steps (`detail`).

Views translate only: access through `complaints_visible_to` / `get_complaint_for_user`,
one service per POST, the services' field errors back on the forms (`servicedesk.pages`,
`servicedesk.actions`)."""
