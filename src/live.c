/* live.c - opening a world on real Azure and a real cluster. */
#include "config.h"
#include "world.h"

#include <stdlib.h>

void live_free(void *live);

void live_free(void *live)
{
	free(live);
}
