# Writes form.pdf: a two-page questionnaire filled in with ReportLab's
# AcroForm support (text fields, a tick box, a radio group whose value sits
# on the parent of its buttons, a drop-down list, one field left empty, one
# box left unticked) and two comments (a sticky note with an author and a
# free-text note). The file is committed; to write it again, from this
# folder, with Debian's python3-reportlab (apt-get install python3-reportlab):
#
#	/usr/bin/python3 form.py
#
# invariant=1 keeps the bytes the same from run to run.
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfgen import canvas

c = canvas.Canvas("form.pdf", pagesize=A4, invariant=1)
c.setTitle("Finance tools questionnaire")
c.setAuthor("Research Team")
form = c.acroForm

c.setFont("Helvetica-Bold", 16)
c.drawString(72, 780, "Finance tools questionnaire")
c.setFont("Helvetica", 11)
c.drawString(72, 750, "Please answer in your own words. Your answers stay anonymous.")
c.drawString(72, 710, "Your role:")
form.textfield(name="role", value="Financial controller", x=200, y=700, width=300, height=20)
c.drawString(72, 670, "What slows down your month-end close?")
form.textfield(name="pains", x=72, y=600, width=440, height=60, fieldFlags="multiline",
               value="We rebuild the forecast by hand every month.\rApprovals wait a week for the CFO.")
c.drawString(72, 570, "Do you use spreadsheets for planning?")
form.checkbox(name="uses_spreadsheets", checked=True, x=400, y=565, size=14)
c.drawString(72, 540, "Would you switch tools this year?")
form.checkbox(name="would_switch", checked=False, x=400, y=535, size=14)
c.drawString(72, 510, "Company size:")
for i, size in enumerate(["small", "mid-market", "enterprise"]):
    form.radio(name="company_size", value=size, selected=(size == "mid-market"), x=200 + 90 * i, y=505, size=14)
c.textAnnotation("Follow up: ask for the forecast template they use.", Rect=(520, 700, 540, 720), T=PDFString("Jo Tanaka"))
c.showPage()

c.setFont("Helvetica", 11)
c.drawString(72, 780, "Tools you use today:")
form.choice(name="main_tool", value="Excel", options=["Excel", "Google Sheets", "Anaplan"], x=250, y=770, width=200, height=20)
c.drawString(72, 740, "Anything else?")
form.textfield(name="other", value="", x=250, y=730, width=200, height=20)
c.freeTextAnnotation("Reviewer: the controller wants a single source of truth.", PDFString("/Helv 10 Tf 0 g"),
                     Rect=(72, 600, 400, 640))
c.showPage()
c.save()
