/*
 * Notifier lists (QEMU's names): callbacks run in registration order.
 */
#ifndef QEMU_NOTIFY_H
#define QEMU_NOTIFY_H

#include <glib.h>

typedef struct Notifier Notifier;
struct Notifier {
    void (*notify)(Notifier *notifier, void *data);
};

typedef struct NotifierList {
    GList *notifiers;
} NotifierList;

static inline void notifier_list_add(NotifierList *list, Notifier *n)
{
    list->notifiers = g_list_append(list->notifiers, n);
}

static inline void notifier_remove(NotifierList *list, Notifier *n)
{
    list->notifiers = g_list_remove(list->notifiers, n);
}

static inline void notifier_list_notify(NotifierList *list, void *data)
{
    for (GList *l = list->notifiers; l;) {
        Notifier *n = l->data;

        l = l->next;        /* a notifier may remove itself */
        n->notify(n, data);
    }
}

#endif
