// Package server is the only code that wires I/O: the listeners, the
// epoll event loops and their connections, the dispatch gauntlet
// (processCommand) and call(), and the handlers of connection and server
// commands (CLIENT, CONFIG, INFO, MULTI, pub/sub ...). See docs/DESIGN.md
// for the execution model: event loops parse and write, one executor lock
// serialises command execution.
package server
