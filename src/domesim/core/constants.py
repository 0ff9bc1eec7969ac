"""Physical constants in SI units, each with its source.

Sources
-------
- WGS84: NIMA TR8350.2, "Department of Defense World Geodetic System 1984", 3rd ed. (2000), table 3.1.
- J2: EGM96 normalised C20 = -4.84165371736e-4, so J2 = -sqrt(5) C20 (Lemoine et al., NASA/TP-1998-206861).
- Earth rotation: IERS Conventions (2010), TN 36, chapter 5 (ERA rate; sidereal rate of WGS84).
- Standard gravity: CGPM 1901 (3rd CGPM), exact by definition.
"""

GM_EARTH_M3_S2 = 3.986004418e14  # WGS84 GM including the atmosphere (TR8350.2 table 3.1)
R_EARTH_EQ_M = 6378137.0  # WGS84 semi-major axis (TR8350.2 table 3.1)
F_EARTH = 1.0 / 298.257223563  # WGS84 flattening (TR8350.2 table 3.1)
E2_EARTH = F_EARTH * (2.0 - F_EARTH)  # first eccentricity squared, derived
R_EARTH_POLAR_M = R_EARTH_EQ_M * (1.0 - F_EARTH)  # semi-minor axis, derived
R_EARTH_MEAN_M = 6371008.8  # IUGG mean radius R1 = (2a + b) / 3 of WGS84
J2_EARTH = 1.08262668e-3  # EGM96 / WGS84 (sqrt(5) * 4.84165371736e-4)
OMEGA_EARTH_RAD_S = 7.292115e-5  # WGS84 nominal mean angular velocity (TR8350.2 table 3.1)
G0_M_S2 = 9.80665  # standard gravity, exact (3rd CGPM, 1901)

# Earth Rotation Angle, IERS Conventions 2010 eq. (5.15):
# ERA(Du) = 2 pi (0.7790572732640 + 1.00273781191135448 Du), Du = JD(UT1) - 2451545.0
ERA_AT_J2000_TURNS = 0.7790572732640
ERA_RATE_TURNS_PER_UT1_DAY = 1.00273781191135448
JD_J2000 = 2451545.0
SECONDS_PER_DAY = 86400.0

# US Standard Atmosphere 1976 sea-level density; the scale height is the isothermal value
# used in the peer baselines (shared/peer-baselines.md section 3.5).
RHO0_KG_M3 = 1.225
SCALE_HEIGHT_M = 8500.0
