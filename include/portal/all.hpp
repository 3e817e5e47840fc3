// portal/all.hpp — convenience header: the whole public API.
#pragma once

#include "portal/accounts.hpp"
#include "portal/backend.hpp"
#include "portal/dicomnet.hpp"
#include "portal/dicomweb.hpp"
#include "portal/documents.hpp"
#include "portal/error.hpp"
#include "portal/imaging.hpp"
#include "portal/model.hpp"
#include "portal/options.hpp"
#include "portal/portal.hpp"
#include "portal/query.hpp"
#include "portal/reports.hpp"
#include "portal/session.hpp"
