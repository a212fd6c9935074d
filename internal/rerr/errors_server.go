package rerr

// Protected commands (allowProtectedAction in processCommand) and MODULE.
var (
	DebugNotAllowed  = protectedNotAllowed("DEBUG", "enable-debug-command")
	ModuleNotAllowed = protectedNotAllowed("MODULE", "enable-module-command")
	ModuleLoad       = []byte("-ERR Error loading the extension. Please check the server logs.\r\n")
	ModuleUnloadNone = []byte("-ERR Error unloading module: no such module with that name\r\n")
)

func protectedNotAllowed(name, directive string) []byte {
	return Line("ERR " + name + " command not allowed. If the " + directive + " option is set to \"local\", " +
		"you can run it from a local connection, otherwise you need to set this option " +
		"in the configuration file, and then restart the server.")
}
