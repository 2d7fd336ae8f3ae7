/* server.c: `eddy server`: run the database as a server (PostgreSQL protocol and HTTP).
 *
 * Layer: cli. Only reads the settings and hands over to the server layer (src/server/), which
 * owns everything else; the exit status is srv_run's. */
#include "cli/cli.h"
#include "server/server.h"

int cli_server(int argc, char **argv)
{
	ServerConfig cfg;
	if (srv_config(&cfg, argc, argv) < 0)
		return 2;
	return srv_run(&cfg);
}
