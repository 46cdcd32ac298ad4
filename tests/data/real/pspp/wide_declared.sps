* Written for peerstudy's real-file corpus (tests/data/real/README.md).
* A wide export as a site would keep it in SPSS: one row per peer support
* worker, one block of SWLS columns per timepoint (suffix _t1, _t2, _t3),
* string id, string site and sex codes with value labels, a date of birth,
* a date-time of entry, a long free-text comment and a name (identifier).
* Each block declares its own user-missing values: a discrete code (9),
* a range down from LO (LO THRU -1), and a range plus one discrete value
* (88 THRU 99, -9). Made-up data; no real person.
* Run: pspp wide_declared.sps   (GNU PSPP 1.6.2 wrote the committed .sav)

DATA LIST LIST (",")
  /codigo (A6) nombre (A30) centro (A1) sexo (A1) nacimiento (DATE11)
   alta (DATETIME20) comentario (A400)
   SWLS1_t1 SWLS2_t1 SWLS3_t1 SWLS4_t1 SWLS5_t1 (F2.0)
   SWLS1_t2 SWLS2_t2 SWLS3_t2 SWLS4_t2 SWLS5_t2 (F2.0)
   SWLS1_t3 SWLS2_t3 SWLS3_t3 SWLS4_t3 SWLS5_t3 (F2.0).
BEGIN DATA
GI-001,Ana Prat Font,G,F,12-MAR-1980,10-JAN-2023 09:30:00,Sin incidencias,4,4,3,4,3,4,5,4,4,4,4,4,4,3,4
GI-002,Pau Serra Mas,G,M,03-JUL-1975,10-JAN-2023 10:00:00,,3,3,3,2,3,3,3,4,3,3,3,3,3,3,3
GI-003,Rosa Vila Coll,G,F,21-NOV-1990,11-JAN-2023 09:00:00,,5,4,5,4,4,5,5,5,4,5,5,5,4,5,5
GI-004,Joan Puig Sala,G,M,30-APR-1968,11-JAN-2023 12:15:00,,2,3,2,3,2,3,3,3,3,2,6,2,3,3,3
GI-005,Marta Roca Bosch,G,F,15-AUG-1985,12-JAN-2023 08:45:00,Prefiere contestar en papel,4,9,4,4,4,4,-1,4,4,5,4,4,99,4,4
GI-006,Jordi Font Camps,G,M,09-FEB-1979,12-JAN-2023 09:20:00,,3,4,3,4,3,4,4,4,4,4,4,4,4,-9,4
GI-007,Nuria Mas Riera,G,F,27-JUN-1992,13-JAN-2023 11:00:00,,4,4,4,4,4,4,4,4,4,4,5,4,4,4,4
GI-008,Sergi Coll Prat,G,M,05-DEC-1983,13-JAN-2023 11:30:00,,3,3,4,3,3,4,3,4,4,3,4,4,4,4,3
GI-009,Elena Sala Vidal,G,F,19-SEP-1988,16-JAN-2023 10:10:00,Baja tras la formacion,3,2,3,3,2,,,,,,,,,,
GI-010,Marc Bosch Pujol,G,M,11-JAN-1981,16-JAN-2023 10:40:00,,4,3,4,4,3,4,4,3,4,4,88,88,88,88,88
GI-011,Laia Riera Soler,G,F,02-MAY-1994,17-JAN-2023 09:05:00,No localizable a los 6 meses,3,3,3,3,3,-1,-3,-1,-1,-2,3,3,4,3,3
GI-012,David Pujol Serra,G,M,23-OCT-1970,17-JAN-2023 09:50:00,,4,9,9,4,9,4,4,4,4,4,4,4,4,4,4
END DATA.

VARIABLE LABELS codigo 'Codigo del participante' centro 'Centro' sexo 'Sexo'
  nacimiento 'Fecha de nacimiento' alta 'Fecha y hora de alta' comentario 'Comentario libre'.
VALUE LABELS centro 'G' 'Girona' /sexo 'F' 'Mujer' 'M' 'Hombre' 'X' 'No consta'.
VALUE LABELS SWLS1_t1 TO SWLS5_t3
  1 'Muy en desacuerdo' 2 'En desacuerdo' 3 'Ni de acuerdo ni en desacuerdo'
  4 'De acuerdo' 5 'Muy de acuerdo' 9 'No contesta' -1 'No procede' -9 'Rechaza'
  88 'No sabe' 99 'No contesta'.
MISSING VALUES sexo ('X').
MISSING VALUES SWLS1_t1 TO SWLS5_t1 (9).
MISSING VALUES SWLS1_t2 TO SWLS5_t2 (LO THRU -1).
MISSING VALUES SWLS1_t3 TO SWLS5_t3 (88 THRU 99, -9).
SAVE OUTFILE='wide_declared.sav'.
