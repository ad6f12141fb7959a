package exchange

// SisterCityZones are the time zones of Chicago and its sister cities, for
// the admin form to offer; any other IANA zone is taken as well.
var SisterCityZones = []string{
	"Africa/Accra", "Africa/Casablanca", "Africa/Johannesburg", "America/Bogota", "America/Chicago", "America/Mexico_City",
	"America/Sao_Paulo", "America/Toronto", "Asia/Amman", "Asia/Jerusalem", "Asia/Karachi", "Asia/Kolkata", "Asia/Seoul",
	"Asia/Shanghai", "Asia/Tokyo", "Europe/Athens", "Europe/Belgrade", "Europe/Berlin", "Europe/Dublin", "Europe/Kyiv",
	"Europe/London", "Europe/Moscow", "Europe/Paris", "Europe/Prague", "Europe/Rome", "Europe/Vilnius", "Europe/Warsaw",
	"Europe/Zurich", "UTC",
}
