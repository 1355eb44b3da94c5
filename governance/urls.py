from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.index, name="index"),
    path("waiting/", views.waiting, name="waiting"),
    path("proposals/", views.proposal_list, name="proposal-list"),
    path("proposals/new/", views.proposal_create, name="proposal-create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/assess/", views.proposal_assess, name="proposal-assess"),
    path("proposals/<int:pk>/attach/", views.proposal_attach, name="proposal-attach"),
    path("proposals/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download,
         name="attachment-download"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal-submit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("proposals/<int:pk>/agenda/add/", views.proposal_agenda_add, name="proposal-agenda-add"),
    path("proposals/<int:pk>/agenda/remove/", views.proposal_agenda_remove, name="proposal-agenda-remove"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/publish/", views.meeting_publish, name="meeting-publish"),
    path("meetings/<int:pk>/items/", views.meeting_item_add, name="meeting-item-add"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/confirm/", views.meeting_confirm, name="meeting-confirm"),
    path("meetings/<int:pk>/minutes.pdf", views.meeting_pdf, name="meeting-pdf"),
    path("meetings/<int:meeting_pk>/proposals/<int:proposal_pk>/decide/", views.decision_record,
         name="decision-record"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/correct/", views.decision_correct, name="decision-correct"),
    path("groups/", views.group_list, name="group-list"),
    path("groups/<int:pk>/", views.group_detail, name="group-detail"),
    path("groups/<int:pk>/criteria/new/", views.criteria_create, name="criteria-create"),
    path("groups/<int:pk>/meetings.ics", views.group_calendar, name="group-calendar"),
    path("ideas/", views.idea_list, name="idea-list"),
    path("ideas/new/", views.idea_create, name="idea-create"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea-detail"),
    path("ideas/<int:pk>/stage/", views.idea_stage, name="idea-stage"),
]
