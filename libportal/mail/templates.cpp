// Mail templates (DIF-8), English and French. Placeholders: {name}, {login}, {link},
// {expires}, {email}, {base_url}, {message}.
#include <map>

#include "libportal/mail/mail.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

struct Template {
  const char* subject;
  const char* body;
};

const std::map<std::string, std::map<std::string, Template>>& templates() {
  static const std::map<std::string, std::map<std::string, Template>> t = {
      {"confirmation",
       {{"en",
         {"Confirm your registration",
          "Hello {name},\n\nYou registered on the radiology portal with the login {login}.\n"
          "Please confirm your email address by opening this link:\n\n{link}\n\n"
          "The link can be used once and expires on {expires}. If you did not register, "
          "ignore this message.\n"}},
        {"fr",
         {"Confirmez votre inscription",
          "Bonjour {name},\n\nVous vous êtes inscrit(e) sur le portail de radiologie avec "
          "l'identifiant {login}.\nMerci de confirmer votre adresse en ouvrant ce lien :\n\n"
          "{link}\n\nCe lien n'est utilisable qu'une fois et expire le {expires}. Si vous ne "
          "vous êtes pas inscrit(e), ignorez ce message.\n"}}}},
      {"activation_request",
       {{"en",
         {"Account waiting for activation: {login}",
          "Hello,\n\n{name} ({login}, {email}) confirmed their registration and waits for "
          "an administrator to activate the account.\n\nPortal: {base_url}\n"}},
        {"fr",
         {"Compte en attente d'activation : {login}",
          "Bonjour,\n\n{name} ({login}, {email}) a confirmé son inscription et attend qu'un "
          "administrateur active son compte.\n\nPortail : {base_url}\n"}}}},
      {"account_activated",
       {{"en",
         {"Your account is active",
          "Hello {name},\n\nYour account {login} is now active. You can sign in at:\n\n"
          "{base_url}\n"}},
        {"fr",
         {"Votre compte est actif",
          "Bonjour {name},\n\nVotre compte {login} est maintenant actif. Vous pouvez vous "
          "connecter ici :\n\n{base_url}\n"}}}},
      {"password_reset",
       {{"en",
         {"Reset your password",
          "Hello {name},\n\nSomeone asked to reset the password of the account {login}.\n"
          "To choose a new password, open this link:\n\n{link}\n\nThe link can be used once "
          "and expires on {expires}. If you did not ask, ignore this message: your password "
          "stays as it is.\n"}},
        {"fr",
         {"Réinitialisez votre mot de passe",
          "Bonjour {name},\n\nUne réinitialisation du mot de passe du compte {login} a été "
          "demandée.\nPour choisir un nouveau mot de passe, ouvrez ce lien :\n\n{link}\n\n"
          "Ce lien n'est utilisable qu'une fois et expire le {expires}. Si vous n'êtes pas à "
          "l'origine de cette demande, ignorez ce message : votre mot de passe ne change "
          "pas.\n"}}}},
      {"invitation",
       {{"en",
         {"You are invited to the radiology portal",
          "Hello,\n\n{name} invites you to view medical images on the radiology portal.\n"
          "Create your account by opening this link:\n\n{link}\n\nThe link can be used once "
          "and expires on {expires}.\n"}},
        {"fr",
         {"Invitation au portail de radiologie",
          "Bonjour,\n\n{name} vous invite à consulter des images médicales sur le portail de "
          "radiologie.\nCréez votre compte en ouvrant ce lien :\n\n{link}\n\nCe lien n'est "
          "utilisable qu'une fois et expire le {expires}.\n"}}}},
      // DIF-5, DIF-6: no patient data in the mail, only the link (access is checked there).
      {"study_shared",
       {{"en",
         {"A study was shared with you",
          "Hello,\n\n{name} shared a study with you on the radiology portal.\n\n{message}\n\n"
          "Open it here (sign in first):\n\n{link}\n\nAccess ends on {expires}.\n"}},
        {"fr",
         {"Un examen a été partagé avec vous",
          "Bonjour,\n\n{name} a partagé un examen avec vous sur le portail de radiologie.\n\n"
          "{message}\n\nConsultez-le ici (après connexion) :\n\n{link}\n\n"
          "L'accès prend fin le {expires}.\n"}}}},
      {"study_shared_invitation",
       {{"en",
         {"A study was shared with you",
          "Hello,\n\n{name} shared a study with you on the radiology portal.\n\n{message}\n\n"
          "Create your account by opening this link; the study is then in your list:\n\n"
          "{link}\n\nThe link can be used once and expires on {expires}.\n"}},
        {"fr",
         {"Un examen a été partagé avec vous",
          "Bonjour,\n\n{name} a partagé un examen avec vous sur le portail de radiologie.\n\n"
          "{message}\n\nCréez votre compte en ouvrant ce lien ; l'examen sera ensuite dans "
          "votre liste :\n\n{link}\n\nCe lien n'est utilisable qu'une fois et expire le "
          "{expires}.\n"}}}},
      // DIF-2..4: the referring physician's notification; no patient data, only the link.
      {"study_notification",
       {{"en",
         {"New images of one of your patients",
          "Hello {name},\n\nA study of one of your patients is available on the radiology "
          "portal.\n\nOpen it here (sign in first):\n\n{link}\n"}},
        {"fr",
         {"Nouvelles images d'un de vos patients",
          "Bonjour {name},\n\nUn examen d'un de vos patients est disponible sur le portail de "
          "radiologie.\n\nConsultez-le ici (après connexion) :\n\n{link}\n"}}}},
      {"report_notification",
       {{"en",
         {"A report is available for one of your patients",
          "Hello {name},\n\nThe report of a study of one of your patients is available on the "
          "radiology portal.\n\nOpen it here (sign in first):\n\n{link}\n"}},
        {"fr",
         {"Un compte rendu est disponible pour un de vos patients",
          "Bonjour {name},\n\nLe compte rendu d'un examen d'un de vos patients est disponible "
          "sur le portail de radiologie.\n\nConsultez-le ici (après connexion) :\n\n{link}\n"}}}},
  };
  return t;
}

std::string substitute(const std::string& text, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '{') {
      auto end = text.find('}', i);
      if (end != std::string::npos) {
        auto it = vars.find(text.substr(i + 1, end - i - 1));
        if (it != vars.end()) {
          out += it->second;
          i = end + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

MailText render_mail(const std::string& kind, const std::string& language,
                     const std::map<std::string, std::string>& vars) {
  auto k = templates().find(kind);
  if (k == templates().end()) throw Error(ErrorCode::kInternal, "no mail template " + kind);
  auto l = k->second.find(language);
  if (l == k->second.end()) l = k->second.find("en");
  return {substitute(l->second.subject, vars), substitute(l->second.body, vars)};
}

}  // namespace portal::detail
