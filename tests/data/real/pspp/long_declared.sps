* Written for peerstudy's real-file corpus (tests/data/real/README.md).
* A long export: one row per participant x visit. The group is a string
* code with value labels (P = peer support worker, U = service user), the
* site a numeric code with labels, the visit a numeric code (1, 2) with
* labels, and an attendance column (asistio: 1 = came, 0 = did not come).
* SWLS items declare a range plus one discrete value: LO THRU -1 and 99.
* One case is entirely empty (a blank line in SPSS's Data View).
* Made-up data; no real person.
* Run: pspp long_declared.sps   (GNU PSPP 1.6.2 wrote the committed .sav)

DATA LIST LIST (",")
  /id (F4.0) grupo (A1) centro (F1.0) visita (F1.0) asistio (F1.0)
   SWLS1 SWLS2 SWLS3 SWLS4 SWLS5 (F2.0).
BEGIN DATA
101,P,1,1,1,4,4,4,3,4
101,P,1,2,1,4,5,4,4,4
102,P,1,1,1,3,-1,3,3,3
102,P,1,2,1,99,99,99,99,99
103,U,2,1,1,2,2,3,2,2
103,U,2,2,0,,,,,
104,U,2,1,1,5,4,5,5,99
104,U,2,2,1,-2,3,4,4,4
,,,,,,,,,
105,U,2,1,1,3,3,3,3,3
END DATA.

VALUE LABELS grupo 'P' 'Agente de apoyo mutuo' 'U' 'Persona usuaria'
  /centro 1 'Lleida' 2 'Tarragona' /visita 1 'Inicio' 2 '12 meses' /asistio 1 'Si' 0 'No'.
MISSING VALUES SWLS1 TO SWLS5 (LO THRU -1, 99).
SAVE OUTFILE='long_declared.sav'.
