package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csci/exchangeeval/internal/survey"
	"github.com/csci/exchangeeval/internal/workbook"
)

// TestAWaveCollectedInKoboOrODKComesBack: the pre-exchange form exported
// for KoboToolbox asks who answers first; its submissions, exported by
// KoboToolbox (semicolons, group paths, the multiple choice as codes and
// again one column per option, _uuid and the like) and by ODK Central
// (group-question, KEY, SubmissionDate), import as the wave's responses,
// each answer checked as on the page; importing the same export again
// writes nothing; a submission breaking a rule is named by row and
// column and nothing is imported.
func TestAWaveCollectedInKoboOrODKComesBack(t *testing.T) {
	c := newCLI(t)
	c.mustRun("exchange", "create", "--id", "x1", "--instrument", "csci-social-services", "--name", "Hamburg–Chicago 2027",
		"--host-city", "Chicago", "--visiting-city", "Hamburg", "--start", "2027-06-13", "--end", "2027-06-19")
	c.mustRun("participants", "import", "--exchange", "x1", writeFile(t, "people.csv",
		"name,email,city,role,language,side\nKatharina Böhm,katharina@example.org,Hamburg,practitioner,de,visiting\nMalte Jansen,malte@example.org,Hamburg,supervisor,de,visiting\nTeresa Alvarado,teresa@example.org,Chicago,supervisor,en,host\n"))

	form := filepath.Join(t.TempDir(), "pre.xlsx")
	c.mustRun("instruments", "export", "--id", "csci-social-services", "--wave", "pre", "--format", "xlsform", "--out", form)
	raw, _ := os.ReadFile(form)
	sheets, probs := workbook.ReadXLSForm("pre.xlsx", bytes.NewReader(raw))
	if probs != nil {
		t.Fatal(probs)
	}
	for _, s := range sheets {
		if s.Name == survey.SheetSurvey && (s.Rows[1][0] != "text" || s.Rows[1][1] != "participant" || !strings.Contains(strings.Join(s.Rows[1], "|"), "Ihr Teilnahmecode")) {
			t.Errorf("the wave's form does not ask who answers first: %q", s.Rows[1])
		}
	}

	likert := "fund_corporate;fund_volunteers;fund_confidence;fund_little_place;eval_university;eval_measures;eval_evidence;eval_time_lost;care_practice;care_stakeholders;care_change;care_rarely_relevant"
	var kobo strings.Builder
	kobo.WriteString("start;end;participant;background/work_city;background/org_type;background/job_role;background/years_practice;background/practice_areas;background/practice_areas/youth;background/practice_areas/other")
	for _, q := range strings.Split(likert, ";") {
		kobo.WriteString(";" + map[bool]string{true: "funding/", false: "other/"}[strings.HasPrefix(q, "fund")] + q)
	}
	kobo.WriteString(";expectations/expectations;_id;_uuid;_submission_time;_validation_status;_notes;_status;_submitted_by;__version__;_tags;_index\n")
	row := func(who, city, areas, areaCols, uuid string) {
		kobo.WriteString("2027-06-01T09:00:00;2027-06-01T09:12:00;" + who + ";" + city + ";nonprofit;practitioner;7;" + areas + ";" + areaCols)
		kobo.WriteString(strings.Repeat(";3", 12))
		kobo.WriteString(";Mehr über Spenden und Ehrenamt lernen;101;" + uuid + ";2027-06-01T09:12:30;;;submitted_via_web;;vQ9;;1\n")
	}
	row("P0001", "hamburg", "youth other", "1;1", "6f1c2a0e-1")
	row("malte@example.org", "hamburg", "youth", "1;0", "6f1c2a0e-2")
	export := writeFile(t, "kobo.csv", kobo.String())
	out := c.mustRun("responses", "import", "--exchange", "x1", "--wave", "pre", export)
	if !strings.Contains(out, "imported 2 row(s) into x1: 2 new") {
		t.Fatalf("KoboToolbox export: %s", out)
	}
	if again := c.mustRun("responses", "import", "--exchange", "x1", "--wave", "pre", export); !strings.Contains(again, "0 new") || !strings.Contains(again, "2 unchanged") {
		t.Errorf("the same export again: %s", again)
	}
	history := c.mustRun("responses", "history", "--exchange", "x1", "--participant", "P0001", "--wave", "pre")
	if !strings.Contains(history, "import 6f1c2a0e-1") {
		t.Errorf("P0001's history does not name the submission it came from: %s", history)
	}
	if _, _, err := c.run("responses", "import", "--exchange", "x1", export); err == nil || !strings.Contains(userMessage(err), "with --wave") {
		t.Errorf("a collector's export without --wave: %v", err)
	}

	// ODK Central: group-question, its own columns; P0003 answers.
	odk := "SubmissionDate,participant,background-work_city,background-org_type,background-job_role,background-years_practice,background-practice_areas," +
		strings.Join(strings.Split(likert, ";"), ",") + ",meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n" +
		"2027-06-02T10:00:00.000Z,P0003,chicago,public,administrator,22,older-people" + strings.Repeat(",4", 12) + ",uuid:a1,uuid:a1,5,Tablet 2,0,0,,,collect:x,0,3\n"
	if out := c.mustRun("responses", "import", "--exchange", "x1", "--wave", "pre", writeFile(t, "odk.csv", odk)); !strings.Contains(out, "imported 1 row(s) into x1: 1 new") {
		t.Errorf("ODK Central export: %s", out)
	}
	if history := c.mustRun("responses", "history", "--exchange", "x1", "--participant", "P0003", "--wave", "pre"); !strings.Contains(history, "import uuid:a1") {
		t.Errorf("P0003's history does not name the submission it came from: %s", history)
	}
	// A value the questionnaire refuses: named, nothing imported.
	bad := strings.Replace(odk, ",22,", ",75,", 1)
	_, _, err := c.run("responses", "import", "--exchange", "x1", "--wave", "pre", "--replace", writeFile(t, "bad.csv", bad))
	if err == nil || !strings.Contains(userMessage(err), "row 2, column") || !strings.Contains(userMessage(err), "years_practice") {
		t.Errorf("a submission over a bound: %v", err)
	}
}
